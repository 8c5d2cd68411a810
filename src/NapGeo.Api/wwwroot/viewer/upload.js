import { el, clear, announce, KEY_STORAGE } from './dom.js';

// The coordinates' names in an upload's mapping report.
const COORDINATE_ROLES = ['longitude', 'latitude', 'easting', 'northing'];

/**
 * The upload panel: choose a file, see the detected format, CRS and column mapping, adjust the mapping, run a
 * dry run (report with bad rows highlighted, preview points on the map), then commit with a progress bar.
 */
export function setUpUpload(map, onCommitted) {
  const panel = document.getElementById('upload-panel');
  const toggle = document.getElementById('toggle-upload');
  const body = document.getElementById('upload-body');
  const state = { file: null, mapping: {} };

  const show = visible => {
    panel.hidden = !visible;
    toggle.setAttribute('aria-expanded', String(visible));
    if (visible) body.querySelector('input')?.focus();
  };
  toggle.addEventListener('click', () => show(panel.hidden));
  document.getElementById('close-upload').addEventListener('click', () => { show(false); toggle.focus(); });

  const key = el('input', { type: 'password', id: 'upload-key', autocomplete: 'off', value: sessionStorage.getItem(KEY_STORAGE) ?? '' });
  const file = el('input', { type: 'file', id: 'upload-file', accept: '.csv,.txt,.xlsx,.geojson,.json,.kml,.kmz,.gpx,.zip,.gpkg' });
  const target = el('select', { id: 'upload-target' }, ['samples', 'sites', 'hotspots'].map(t => el('option', {}, t)));
  const campaign = el('input', { id: 'upload-campaign', placeholder: 'e.g. GH-2025-DRY' });
  const crs = el('input', { id: 'upload-crs', placeholder: 'from the file, or e.g. EPSG:32630' });
  const onError = el('select', { id: 'upload-on-error' }, el('option', { value: 'reject-all' }, 'reject the whole file'),
    el('option', { value: 'skip-invalid' }, 'skip invalid rows'));
  const dryRun = el('button', { type: 'button', id: 'upload-dry-run' }, 'Check (dry run)');
  const commit = el('button', { type: 'button', id: 'upload-commit', class: 'primary', disabled: true }, 'Commit');
  const progress = el('progress', { id: 'upload-progress', max: 100, value: 0, hidden: true });
  const result = el('div', { id: 'upload-result', 'aria-live': 'polite' });

  body.append(
    el('h2', {}, 'Upload field data'),
    el('label', { for: 'upload-key' }, 'Editor API key', key),
    el('label', { for: 'upload-file' }, 'File (CSV, XLSX, GeoJSON, KML/KMZ, GPX, zipped Shapefile, GeoPackage)', file),
    el('label', { for: 'upload-target' }, 'Load as', target),
    el('label', { for: 'upload-campaign' }, 'Campaign', campaign),
    el('label', { for: 'upload-crs' }, 'Coordinate system', crs),
    el('label', { for: 'upload-on-error' }, 'When rows are invalid', onError),
    el('div', { class: 'row' }, dryRun, commit),
    progress,
    result);

  file.addEventListener('change', () => {
    state.file = file.files[0] ?? null;
    state.mapping = {};
    commit.disabled = true;
    clear(result);
    showPreview(map, null); // the points of the file checked before are not in this one
  });
  // Commit sends what the last check checked: any other setting needs a check first.
  for (const input of [target, campaign, crs, onError]) input.addEventListener('change', () => { commit.disabled = true; });
  // Mapping choices name one target's fields: another target's check would refuse them ("not a field of a hotspot").
  target.addEventListener('change', () => { state.mapping = {}; });
  state.onMappingChanged = () => { commit.disabled = true; };
  // One request at a time: a second click would send the file twice.
  const busy = on => { dryRun.disabled = on; if (on) commit.disabled = true; };

  const form = mode => {
    const data = new FormData();
    data.append('file', state.file);
    data.append('target', target.value);
    data.append('mode', mode);
    data.append('on_error', onError.value);
    if (campaign.value.trim()) data.append('campaign', campaign.value.trim());
    if (crs.value.trim()) data.append('crs', crs.value.trim());
    if (Object.keys(state.mapping).length) data.append('mapping', JSON.stringify(state.mapping));
    return data;
  };

  dryRun.addEventListener('click', async () => {
    if (!state.file) { announce('Choose a file first'); return; }
    busy(true);
    const answer = await send(form('dry-run'), key.value.trim(), progress);
    busy(false);
    if (!answer) return;
    renderReport(result, answer, state);
    showPreview(map, answer.preview);
    commit.disabled = answer.counts.valid === 0 || (answer.counts.invalid > 0 && onError.value === 'reject-all');
  });

  commit.addEventListener('click', async () => {
    busy(true);
    const answer = await send(form('commit'), key.value.trim(), progress);
    busy(false);
    if (!answer) return;
    renderReport(result, answer, state);
    showPreview(map, null);
    commit.disabled = true;
    if (answer.status === 'committed') {
      onCommitted();
      announce(`Upload committed: ${answer.counts.inserted} new, ${answer.counts.updated} updated`);
    }
  });
}

/**
 * Sends the upload with XMLHttpRequest, whose upload events give the transfer's progress (fetch has none), and
 * polls GET /api/uploads/{id} meanwhile for the rows the server has processed.
 */
function send(data, apiKey, progress) {
  const id = crypto.randomUUID();
  data.append('id', id);
  return new Promise(resolve => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/uploads');
    if (apiKey) request.setRequestHeader('X-Api-Key', apiKey);
    progress.hidden = false;
    progress.value = 0;
    request.upload.onprogress = e => { if (e.lengthComputable) progress.value = Math.round(e.loaded / e.total * 50); };
    let done = false;
    const poll = setInterval(async () => {
      const response = await fetch(`/api/uploads/${id}`, { headers: apiKey ? { 'X-Api-Key': apiKey } : {} }).catch(() => null);
      const record = response?.ok ? await response.json() : null;
      // A poll answered after the upload finished must not move the bar back.
      if (!done && record?.progress?.total) progress.value = 50 + Math.round(record.progress.processed / record.progress.total * 50);
    }, 500);
    const fail = message => {
      progress.hidden = true; // a full bar would read as success
      announce(message);
      clear(document.getElementById('upload-result')).append(el('p', { class: 'bad' }, message));
      resolve(null);
    };
    request.onload = () => {
      done = true;
      clearInterval(poll);
      let body = null;
      try { body = JSON.parse(request.responseText); } catch { /* not JSON */ }
      if (body?.counts) {
        progress.value = 100;
        if (apiKey) sessionStorage.setItem(KEY_STORAGE, apiKey); // a key is kept for reads once it has worked
        resolve(body); // an upload record, also when rejected (422)
        return;
      }
      fail(body?.detail || body?.title || `Upload failed (${request.status})`);
    };
    request.onerror = () => { done = true; clearInterval(poll); fail('Upload failed: network error'); };
    request.send(data);
  });
}

function renderReport(container, answer, state) {
  clear(container);
  const counts = answer.counts;
  container.append(el('div', { class: 'summary' },
    el('div', {}, `${answer.file_name}: ${answer.format}, CRS ${answer.crs ?? 'lon/lat'} — ${answer.status}`),
    el('div', {}, `Rows ${counts.rows}: ${counts.valid} valid, `,
      el('span', { class: counts.invalid > 0 ? 'bad' : '' }, `${counts.invalid} invalid`),
      answer.status === 'committed' ? `; ${counts.inserted} new, ${counts.updated} updated, ${counts.unchanged} unchanged` +
        (counts.superseded > 0 ? `, ${counts.superseded} superseded by a later row with the same id` : '') : '')));

  const columns = answer.columns ?? Object.values(answer.mapping ?? {});
  const mapping = { ...(answer.mapping ?? {}), ...state.mapping };
  if (columns.length) {
    const rows = Object.entries(mapping).map(([field, column]) => {
      // Entries that are not a column choice (e.g. the unit read from a header) are shown as they are.
      if (column && !columns.includes(column)) return el('tr', {}, el('th', {}, field), el('td', {}, column));
      // A field may also be left unread (null in the mapping): a column detection took for it that holds something else.
      // Coordinates cannot: they can only be given another column.
      const options = columns.map(c => el('option', { value: c, selected: c === column }, c));
      if (!COORDINATE_ROLES.includes(field)) options.unshift(el('option', { value: '', selected: column == null }, '(not read)'));
      const select = el('select', { 'aria-label': `Column for ${field}`, 'data-field': field }, options);
      select.addEventListener('change', () => { state.mapping[field] = select.value === '' ? null : select.value; state.onMappingChanged?.(); });
      return el('tr', {}, el('th', {}, field), el('td', {}, select));
    });
    container.append(el('details', { open: true }, el('summary', {}, 'Column mapping (change it, then check again)'),
      el('table', { class: 'attributes' }, rows)));
  }

  const issues = [
    ...(answer.errors ?? []).map(i => ({ ...i, severity: 'error' })),
    ...(answer.warnings ?? []).map(i => ({ ...i, severity: 'warning' })),
  ];
  if (issues.length) {
    container.append(el('table', { class: 'report', id: 'upload-report' },
      el('tr', {}, el('th', {}, 'row'), el('th', {}, 'column or field'), el('th', {}, 'value'), el('th', {}, 'reason')),
      // A field the file has no column for ("campaign is required") is named by the field.
      issues.map(i => el('tr', { class: i.severity, 'data-row': i.row ?? '' },
        el('td', {}, i.row ?? ''), el('td', {}, i.column ?? i.field ?? ''), el('td', {}, i.value ?? ''), el('td', {}, i.reason)))));
  }
}

function showPreview(map, preview) {
  const source = map.getSource('upload-preview');
  const data = preview ?? { type: 'FeatureCollection', features: [] };
  if (source) { source.setData(data); return; }
  map.addSource('upload-preview', { type: 'geojson', data });
  map.addLayer({ id: 'upload-preview', type: 'circle', source: 'upload-preview',
    paint: { 'circle-radius': 6, 'circle-color': '#ffffff', 'circle-stroke-color': '#6a1b9a', 'circle-stroke-width': 3 } });
}
