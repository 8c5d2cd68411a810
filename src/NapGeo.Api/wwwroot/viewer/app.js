import * as maplibregl from '/vendor/maplibre-gl/maplibre-gl.mjs';
import { addOfflineBasemap, addOnlineBasemap } from './basemap.js';
import { buildLayerPanel, DATA_LAYERS, styleLayersOf } from './layers.js';
import { readFilters, applyFilters, filtersFromUrl, fillForm, keepInUrl } from './filters.js';
import { setUpSearch } from './search.js';
import { popupContent, showSite, isCluster } from './details.js';
import { setUpUpload } from './upload.js';
import { announce, fetchJson, apiKey, keyHeaders, el, KEY_STORAGE } from './dom.js';
import { setUpMapStatus, failureReason } from './mapstatus.js';

const config = await fetchJson('/viewer/config.json').catch(() => ({}));
if (config.require_key_for_reads && !apiKey()) await askForKey();
// A shared link's view, read before MapLibre writes its own hash: only a page opened without one fits the data.
const sharedView = location.hash;
const map = new maplibregl.Map({
  container: 'map',
  style: '/styles/napgeo.json',
  center: [-1.5, 6.5],
  zoom: 6,
  attributionControl: { compact: true },
  hash: true, // the view is in the URL, so a planner can share exactly what they see
  // Where reads need a key, the map's own requests (style, TileJSON, tiles) carry it too; other hosts never see it.
  transformRequest: url => (new URL(url, location.href).origin === location.origin ? { url, headers: keyHeaders() } : { url }),
});
map.addControl(new maplibregl.NavigationControl(), 'top-right');
setUpPanelToggle();
map.addControl(new maplibregl.ScaleControl(), 'bottom-left');
// Tests and power users reach the map from the console.
window.napgeo = { map };
const mapStatus = setUpMapStatus(map);
// The map's own layers and sources exist from here on; what adds to them waits for it.
let styleIn = false;
const styleLoaded = new Promise(resolve => map.once('load', () => { styleIn = true; resolve(); }));

// Search, the site panel and uploads need the server, not the map's style: they work even when the style cannot load.
setUpSearch(map, site => showSite(site.id));
setUpUpload(map, styleLoaded, refreshData);
setUpDetailsClose();
// Until the style is in, the filters have no layers to reach: a submit then reloaded the page with them in its URL.
document.getElementById('filters').addEventListener('submit', event => {
  if (styleIn) return;
  event.preventDefault();
  announce('The map has not loaded, so there is nothing to filter yet.');
});

// A request the map could not make (style, TileJSON, tiles) is said, not left as an empty map. A rejected key is
// forgotten and asked for again. Without the style or the data's TileJSON the map is empty, and failed tiles leave
// holes: each stays said, with a way to try again, until it is. Other failures are announced once each.
const reported = new Set();
let askingAgain = false;
map.on('error', event => {
  const status = event.error?.status;
  if (status === 401 && config.require_key_for_reads) {
    if (askingAgain) return; // the style and every tile fail alike: one dialog
    askingAgain = true;
    sessionStorage.removeItem(KEY_STORAGE);
    askForKey().then(() => location.reload());
    return;
  }
  const reason = failureReason(event.error);
  // Retry reloads the page, which keeps the view (hash) and the filters (query): MapLibre does not ask for a failed
  // tile again, even when its source's tiles are set anew.
  if (event.tile) {
    mapStatus.show('tiles', `Some map tiles could not be loaded: ${reason}. Parts of the map may be missing.`, () => location.reload());
    return;
  }
  if (event.sourceId || !styleIn) {
    const what = event.sourceId ? 'The map data' : 'The map';
    mapStatus.show('map', `${what} could not be loaded: ${reason}.`, () => location.reload());
    return;
  }
  const message = status ? `Map data could not be loaded (HTTP ${status}).` : `Map error: ${event.error?.message ?? 'unknown'}`;
  if (reported.has(message)) return;
  reported.add(message);
  announce(message);
});

map.on('load', async () => {
  const firstDataLayer = map.getStyle().layers.find(l => l['source-layer'])?.id;
  if (config.online_basemap_url) addOnlineBasemap(map, config.online_basemap_url, firstDataLayer);
  else await addOfflineBasemap(map, maplibregl, firstDataLayer).catch(error => announce(`Basemap unavailable: ${error.message}`));

  // Open on the data: the TileJSON's bounds are the extent of what is stored.
  const bounds = Object.keys(map.getStyle().sources).map(id => map.getSource(id)?.bounds).find(Boolean);
  if (bounds && !sharedView) map.fitBounds(bounds, { padding: 40, animate: false, maxZoom: 12 });

  buildLayerPanel(map, document.getElementById('layer-list'));
  setUpInteraction();
  setUpFilterForm();
  window.napgeo.ready = true;
  document.body.dataset.ready = 'true';
});

const interactiveLayers = () => DATA_LAYERS.flatMap(d => styleLayersOf(map, d.sourceLayer));

function setUpInteraction() {
  const popup = new maplibregl.Popup({ closeButton: true, maxWidth: '20rem' });
  // What is at a point of the map: a popup, or for a cluster of samples a closer look.
  const identify = (point, lngLat) => {
    const features = map.queryRenderedFeatures(point, { layers: interactiveLayers() });
    if (features.length === 0) return false;
    // Points over polygons: a sample or hotspot under the cursor is what the user aimed at.
    const order = { samples: 0, hotspots: 1, sites: 2 };
    const feature = features.sort((a, b) => order[a.sourceLayer] - order[b.sourceLayer])[0];
    if (feature.sourceLayer === 'samples' && isCluster(feature) && feature.properties.point_count > 1) {
      map.easeTo({ center: lngLat, zoom: map.getZoom() + 2 });
      return true;
    }
    popup.setLngLat(lngLat).setDOMContent(popupContent(feature, id => { popup.remove(); showSite(id); })).addTo(map);
    return true;
  };
  map.on('click', event => identify(event.point, event.lngLat));

  // Keyboard users: the arrow keys pan and + / - zoom (MapLibre's own), and Enter shows what lies under the cross
  // drawn at the centre of the focused map; the popup takes the focus, Escape gives it back to the map.
  const canvas = map.getCanvas();
  canvas.setAttribute('aria-label', 'Map. Arrow keys pan, plus and minus zoom, Enter shows what is under the cross at the centre.');
  map.getContainer().append(el('div', { class: 'crosshair', 'aria-hidden': 'true' }));
  canvas.addEventListener('keydown', event => {
    if (event.key !== 'Enter' || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    const { width, height } = canvas.getBoundingClientRect();
    const reach = 8; // pixels around the cross: a key cannot aim as finely as a pointer
    const box = [[width / 2 - reach, height / 2 - reach], [width / 2 + reach, height / 2 + reach]];
    if (!identify(box, map.getCenter())) announce('Nothing here: move the map to put a feature under the cross');
  });
  map.getContainer().addEventListener('keydown', event => {
    if (event.key === 'Escape' && popup.isOpen() && popup.getElement()?.contains(document.activeElement)) {
      popup.remove();
      canvas.focus();
    }
  });
  map.on('mousemove', event => {
    const hit = map.queryRenderedFeatures(event.point, { layers: interactiveLayers() }).length > 0;
    map.getCanvas().style.cursor = hit ? 'pointer' : '';
  });
}

function setUpDetailsClose() {
  document.getElementById('close-details').addEventListener('click', () => {
    document.getElementById('details').hidden = true;
    requestAnimationFrame(() => map.resize());
    map.getCanvas().focus(); // keyboard users go back to the map, not to the top of the page
  });
}

// Tile templates as loaded, so filters are always applied to the originals.
const tileTemplates = {};

function setUpFilterForm() {
  for (const [id, source] of Object.entries(map.getStyle().sources)) {
    const live = map.getSource(id);
    if (source.type === 'vector' && live?.tiles) tileTemplates[id] = [...live.tiles];
  }
  const form = document.getElementById('filters');
  const shared = filtersFromUrl();
  if (Object.keys(shared).length) {
    fillForm(form, shared);
    applyFilters(map, readFilters(form), tileTemplates); // as the form shows them: a value it does not offer is dropped
  }
  form.addEventListener('submit', event => {
    event.preventDefault();
    const filters = readFilters(form);
    // The server refuses such tiles (400): say so here instead of leaving the old tiles on screen.
    if (filters.from && filters.to && filters.from > filters.to) { announce('The "from" date is after the "to" date'); return; }
    reported.clear();
    applyFilters(map, filters, tileTemplates);
    keepInUrl(filters);
    announce('Filters applied');
  });
  form.addEventListener('reset', () => setTimeout(() => {
    applyFilters(map, {}, tileTemplates);
    keepInUrl({});
    announce('Filters cleared');
  }));
}

/**
 * After an upload: set the tile URLs again, which makes MapLibre fetch every visible tile anew. Tiles are served
 * with "no-cache" and an ETag, so the browser revalidates and the server, whose cache the upload invalidated,
 * answers with the new tile; the page is not reloaded.
 */
function refreshData() {
  applyFilters(map, readFilters(document.getElementById('filters')), tileTemplates);
}

/**
 * On narrow screens (tablets and phones in the field) the layers and filters panel lies over the map: it starts closed
 * there and the top bar's button opens and closes it. On wide screens it is always beside the map.
 */
function setUpPanelToggle() {
  const panel = document.getElementById('left-panel');
  const button = document.getElementById('toggle-panel');
  const narrow = matchMedia('(max-width: 900px)');
  const show = open => {
    panel.classList.toggle('collapsed', !open);
    button.setAttribute('aria-expanded', String(open));
  };
  button.addEventListener('click', () => show(panel.classList.contains('collapsed')));
  narrow.addEventListener('change', () => show(!narrow.matches));
  show(!narrow.matches);
}

/** This server only shows its data to key holders: ask once per tab, before the map loads. */
function askForKey() {
  return new Promise(resolve => {
    const input = el('input', { type: 'password', id: 'read-key', autocomplete: 'off', required: true });
    const dialog = el('dialog', { class: 'key-dialog', 'aria-labelledby': 'read-key-title' },
      el('form', { method: 'dialog' },
        el('h2', { id: 'read-key-title' }, 'API key needed'),
        el('p', {}, 'This NapGeo server shows its data only with an API key (any role).'),
        el('label', { for: 'read-key' }, 'API key', input),
        el('div', { class: 'row' }, el('button', { type: 'submit', class: 'primary' }, 'Open the map'))));
    dialog.addEventListener('close', () => {
      sessionStorage.setItem(KEY_STORAGE, input.value.trim());
      dialog.remove();
      resolve();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
