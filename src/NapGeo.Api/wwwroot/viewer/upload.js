import { el, clear, announce, KEY_STORAGE } from './dom.js';

// The coordinates' names in an upload's mapping report.
const COORDINATE_ROLES = ['longitude', 'latitude', 'easting', 'northing'];

/**
 * The upload panel: choose a file, see the detected format, CRS and column mapping, adjust the mapping, run a
 * dry run (report with bad rows highlighted, preview points on the map), then commit with a progress bar.
 */
export function setUpUpload(map, styleLoaded, onCommitted) {
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
  const progress = el('progress', { id: 'upload-progress', max: 100, value: 0, 'aria-labelledby': 'upload-progress-text' });
  const progressText = el('span', { id: 'upload-progress-text', class: 'progress-text' });
  const progressBox = el('div', { class: 'progress', id: 'upload-progress-box', hidden: true }, progress, progressText);
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
    progressBox,
    result);

  file.addEventListener('change', () => {
    state.file = file.files[0] ?? null;
    state.mapping = {};
    commit.disabled = true;
    clear(result);
    showPreview(map, styleLoaded, null); // the points of the file checked before are not in this one
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
    const answer = await send(form('dry-run'), key.value.trim(), progressBar(progressBox), false);
    busy(false);
    if (!answer) return;
    renderReport(result, answer, state);
    showPreview(map, styleLoaded, answer.preview);
    commit.disabled = answer.counts.valid === 0 || (answer.counts.invalid > 0 && onError.value === 'reject-all');
  });

  commit.addEventListener('click', async () => {
    busy(true);
    const answer = await send(form('commit'), key.value.trim(), progressBar(progressBox), true);
    busy(false);
    if (!answer) return;
    renderReport(result, answer, state);
    showPreview(map, styleLoaded, null);
    commit.disabled = true;
    if (answer.status === 'committed') {
      onCommitted();
      announce(`Upload committed: ${answer.counts.inserted} new, ${answer.counts.updated} updated`);
    }
  });
}

/**
 * The progress bar and the words beside it, which are also its accessible name. Without a measure (a dry run, or
 * the writes after the last row was read) the bar is indeterminate: a bar standing still at some value reads as stuck,
 * one at 100 % as finished.
 */
function progressBar(box) {
  const [bar, text] = box.children;
  return {
    show: on => { box.hidden = !on; },
    set: (value, words) => { bar.value = value; text.textContent = words; },
    unknown: words => { bar.removeAttribute('value'); text.textContent = words; },
  };
}

const fileSize = bytes => (bytes < 100_000 ? `${Math.max(1, Math.round(bytes / 1000))} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

/**
 * Sends the upload with XMLHttpRequest, whose upload events give the transfer's progress (fetch has none), and polls
 * GET /api/uploads/{id} for the rows processed once the file is sent (a commit is recorded while it runs; a dry run is
 * held in memory until it answers).
 */
function send(data, apiKey, progress, isCommit) {
  const id = crypto.randomUUID();
  data.append('id', id);
  const size = fileSize(data.get('file')?.size ?? 0);
  return new Promise(resolve => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/uploads');
    if (apiKey) request.setRequestHeader('X-Api-Key', apiKey);
    progress.show(true);
    progress.set(0, `Sending ${size}…`);
    let done = false;
    let poll;
    request.upload.onprogress = e => {
      if (!done && e.lengthComputable) progress.set(Math.round(e.loaded / e.total * 50), `Sending ${size}…`);
    };
    // Polled from the end of the transfer: before it the server has not yet seen the upload, and answers 404.
    request.upload.onload = () => {
      if (done || poll) return;
      progress.set(50, 'Reading rows…');
      poll = setInterval(() => pollRows(id, apiKey, record => { if (!done) showRows(progress, record.progress, isCommit); }), 500);
    };
    const finish = () => { done = true; clearInterval(poll); };
    const fail = message => {
      progress.show(false); // a full bar would read as success
      announce(message);
      clear(document.getElementById('upload-result')).append(el('p', { class: 'bad' }, message));
      resolve(null);
    };
    request.onload = () => {
      finish();
      let body = null;
      try { body = JSON.parse(request.responseText); } catch { /* not JSON */ }
      if (body?.counts) {
        progress.set(100, isCommit ? 'Done' : 'Checked');
        if (apiKey) sessionStorage.setItem(KEY_STORAGE, apiKey); // a key is kept for reads once it has worked
        resolve(body); // an upload record, also when rejected (422)
        return;
      }
      // A proxy that stopped waiting on a large commit (nginx: 504 after 60 s) does not stop the server.
      if (isCommit && (request.status === 502 || request.status === 504)) { followUp(); return; }
      fail(body?.detail || body?.title || `Upload failed (${request.status})`);
    };
    request.onerror = () => {
      finish();
      if (isCommit) followUp(); else fail('Upload failed: network error');
    };
    /**
     * A commit whose answer was lost goes on on the server once the file is there, and its record tells the outcome:
     * ask for it until it has one. A record that never appears means the file did not arrive.
     */
    const followUp = () => {
      progress.unknown('The connection was lost; the server goes on with the upload. Waiting for its outcome…');
      let missing = 0;
      let asked = 0;
      let asking = false; // a slow answer must not overlap the next question
      const check = setInterval(async () => {
        if (asking) return;
        asking = true;
        const response = await fetch(`/api/uploads/${id}`, { headers: apiKey ? { 'X-Api-Key': apiKey } : {} }).catch(() => null);
        const record = response?.ok ? await response.json().catch(() => null) : null;
        asking = false;
        const gaveUp = ++asked > 900; // half an hour
        if (record && record.status !== 'running') {
          clearInterval(check);
          // The reason of a failure is the record's last error (the rows' own come first).
          if (record.status === 'failed') fail(`Upload failed on the server: ${record.errors?.at(-1)?.reason ?? 'nothing was stored'}`);
          else { progress.set(100, 'Done'); resolve(record); }
        } else if ((response?.status === 404 && ++missing > 5) || gaveUp) {
          clearInterval(check);
          fail(gaveUp ? `No answer from the server about upload ${id}: ask for it later (GET /api/uploads/${id}).`
                      : 'Upload failed: the connection was lost before the whole file reached the server. Send it again.');
        }
      }, 2000);
    };
    request.send(data);
  });
}

async function pollRows(id, apiKey, onRecord) {
  const response = await fetch(`/api/uploads/${id}`, { headers: apiKey ? { 'X-Api-Key': apiKey } : {} }).catch(() => null);
  const record = response?.ok ? await response.json().catch(() => null) : null;
  if (record?.progress?.total) onRecord(record);
}

/**
 * Rows read fill the second half of the bar. All rows read is not the end: the writes and the hotspots' re-derivation
 * (a dry run's trial merge) still run until the server answers, so that stretch is indeterminate, not a finished-looking 100 %.
 */
function showRows(progress, { processed, total }, isCommit) {
  if (processed >= total) progress.unknown(isCommit ? `Saving ${total.toLocaleString('en')} rows…` : `Checking ${total.toLocaleString('en')} rows against the database…`);
  else progress.set(50 + Math.round(processed / total * 50), `Reading rows: ${processed.toLocaleString('en')} of ${total.toLocaleString('en')}`);
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

/** The preview is a layer of the map: drawn once the map's style is in (uploads are open before it is). */
async function showPreview(map, styleLoaded, preview) {
  await styleLoaded;
  const source = map.getSource('upload-preview');
  const data = preview ?? { type: 'FeatureCollection', features: [] };
  if (source) { source.setData(data); return; }
  map.addSource('upload-preview', { type: 'geojson', data });
  map.addLayer({ id: 'upload-preview', type: 'circle', source: 'upload-preview',
    paint: { 'circle-radius': 6, 'circle-color': '#ffffff', 'circle-stroke-color': '#6a1b9a', 'circle-stroke-width': 3 } });
}
