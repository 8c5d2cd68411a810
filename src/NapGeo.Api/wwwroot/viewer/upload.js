import { el, clear, announce } from './dom.js';

const KEY_STORAGE = 'napgeo.apiKey';

/**
 * The upload panel: choose a file, see the detected format, CRS and column mapping, adjust the mapping, run a
 * dry run (report with bad rows highlighted, preview points on the map), then commit with a progress bar.
 */
export function setUpUpload(map, onCommitted) {
  const panel = document.getElementById('upload-panel');
  const toggle = document.getElementById('toggle-upload');
  const body = document.getElementById('upload-body');
  const state = { file: null, mapping: {}, lastDryRun: null };

  const show = visible => {
    panel.hidden = !visible;
    toggle.setAttribute('aria-expanded', String(visible));
    if (visible) body.querySelector('input')?.focus();
  };
  toggle.addEventListener('click', () => show(panel.hidden));
  document.getElementById('close-upload').addEventListener('click', () => { show(false); toggle.focus(); });

  const key = el('input', { type: 'password', id: 'upload-key', autocomplete: 'off', value: sessionStorage.getItem(KEY_STORAGE) ?? '' });
  key.addEventListener('change', () => sessionStorage.setItem(KEY_STORAGE, key.value.trim()));
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

  file.addEventListener('change', () => { state.file = file.files[0] ?? null; state.mapping = {}; commit.disabled = true; clear(result); });

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
    const answer = await send(form('dry-run'), key.value.trim(), progress);
    if (!answer) return;
    state.lastDryRun = answer;
    renderReport(result, answer, state, target.value);
    showPreview(map, answer.preview);
    commit.disabled = !answer.ok_to_commit && onError.value === 'reject-all';
  });

  commit.addEventListener('click', async () => {
    const answer = await send(form('commit'), key.value.trim(), progress);
    if (!answer) return;
    renderReport(result, answer, state, target.value);
    showPreview(map, null);
    commit.disabled = true;
    onCommitted();
    announce(`Upload committed: ${answer.upload?.counts?.inserted ?? 0} new, ${answer.upload?.counts?.updated ?? 0} updated`);
  });
}

/** Sends the upload with XMLHttpRequest for its upload-progress events (fetch has none). */
function send(data, apiKey, progress) {
  return new Promise(resolve => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/uploads');
    if (apiKey) request.setRequestHeader('X-Api-Key', apiKey);
    progress.hidden = false;
    progress.value = 0;
    request.upload.onprogress = e => { if (e.lengthComputable) progress.value = Math.round(e.loaded / e.total * 90); };
    request.onload = () => {
      progress.value = 100;
      let body = null;
      try { body = JSON.parse(request.responseText); } catch { /* not JSON */ }
      if (request.status >= 400) {
        announce(body?.detail || body?.title || `Upload failed (${request.status})`);
        const result = document.getElementById('upload-result');
        clear(result).append(el('p', { class: 'bad' }, body?.detail || body?.title || `Upload failed (${request.status})`));
        resolve(null);
      } else resolve(body);
    };
    request.onerror = () => { announce('Upload failed: network error'); resolve(null); };
    request.send(data);
  });
}

function renderReport(container, answer, state, target) {
  clear(container);
  const upload = answer.upload ?? {};
  const detected = answer.detected ?? {};
  container.append(el('div', { class: 'summary' },
    el('div', {}, `Format: ${detected.format ?? upload.format ?? '?'}; CRS: ${detected.crs ?? '?'}`),
    el('div', {}, `Rows: ${upload.counts?.total ?? '?'}; valid ${upload.counts?.valid ?? '?'}; `,
      el('span', { class: (upload.counts?.invalid ?? 0) > 0 ? 'bad' : '' }, `invalid ${upload.counts?.invalid ?? 0}`))));

  const columns = detected.columns ?? [];
  const mapping = { ...(detected.mapping ?? {}), ...state.mapping };
  if (columns.length && Object.keys(mapping).length) {
    const rows = Object.entries(mapping).map(([field, column]) => {
      const select = el('select', { 'aria-label': `Column for ${field}`, 'data-field': field },
        el('option', { value: '' }, '(none)'), columns.map(c => el('option', { value: c, selected: c === column }, c)));
      select.addEventListener('change', () => { state.mapping[field] = select.value; });
      return el('tr', {}, el('th', {}, field), el('td', {}, select));
    });
    container.append(el('details', { open: true }, el('summary', {}, 'Column mapping (change and run the dry run again)'),
      el('table', { class: 'attributes' }, rows)));
  }

  const issues = answer.report?.issues ?? answer.report ?? [];
  if (Array.isArray(issues) && issues.length) {
    container.append(el('table', { class: 'report', id: 'upload-report' },
      el('tr', {}, el('th', {}, 'row'), el('th', {}, 'column'), el('th', {}, 'value'), el('th', {}, 'reason')),
      issues.map(i => el('tr', { class: i.severity === 'warning' ? 'warning' : 'error', 'data-row': i.row },
        el('td', {}, i.row ?? ''), el('td', {}, i.column ?? ''), el('td', {}, i.value ?? ''), el('td', {}, i.reason ?? i.message ?? '')))));
  }
  void target;
}

function showPreview(map, preview) {
  const source = map.getSource('upload-preview');
  const data = preview ?? { type: 'FeatureCollection', features: [] };
  if (source) { source.setData(data); return; }
  map.addSource('upload-preview', { type: 'geojson', data });
  map.addLayer({ id: 'upload-preview', type: 'circle', source: 'upload-preview',
    paint: { 'circle-radius': 6, 'circle-color': '#ffffff', 'circle-stroke-color': '#6a1b9a', 'circle-stroke-width': 3 } });
}
