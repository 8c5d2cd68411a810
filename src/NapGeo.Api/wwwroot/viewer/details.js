import { el, clear, attributeTable, formatValue, fetchJson, announce } from './dom.js';
import { profileChart } from './chart.js';

const WORST_PRACTICES = ['whole_ore_amalgamation', 'open_burning_amalgam', 'residential_burning_amalgam', 'cyanide_leaching_hg_material'];
const SITE_FIELDS = ['site_code', 'country', 'admin1', 'admin2', 'status', 'deposit_type', 'legal_status', 'miners_total', 'miners_women',
  'miners_children', 'mercury_use_kg_yr', 'gold_production_kg_yr', ...WORST_PRACTICES, 'concentrate_amalgamation', 'retorts',
  'gravity_only', 'cyanidation', 'survey_date', 'data_source', 'notes'];

/** Samples are clustered server-side at low zooms: a cluster carries point_count, value_max and its matrix. */
export const isCluster = feature => feature.properties.point_count !== undefined;

/** Popup content for a clicked feature; every value is set as text. */
export function popupContent(feature, openSite) {
  const p = feature.properties;
  const layer = feature.sourceLayer;
  if (layer === 'samples') {
    if (isCluster(feature)) return el('div', {}, el('div', { class: 'popup-title' }, `${p.point_count} ${p.point_count === 1 ? 'sample' : 'samples'} (${p.matrix})`),
      `Highest normalized value: ${formatValue(p.value_max)}`, el('div', {}, 'Zoom in to see each sample.'));
    return el('div', {},
      el('div', { class: 'popup-title' }, `${p.matrix ?? 'sample'} sample ${p.external_id ?? ''}`),
      el('div', { class: 'sample-value' }, p.below_detection === true || p.below_detection === 'true'
        ? `below detection (limit ${formatValue(p.detection_limit)} ${p.unit ?? ''})`
        : `${formatValue(p.value)} ${p.unit ?? ''}`),
      p.value_normalized !== undefined && p.unit_normalized ? el('div', {}, `= ${formatValue(p.value_normalized)} ${p.unit_normalized}`) : null,
      p.exceedance_class ? el('div', {}, el('span', { class: `badge ${p.exceedance_class}` }, p.exceedance_class),
        p.exceedance_ratio !== undefined ? ` ${formatValue(p.exceedance_ratio)}× guideline` : '') : null,
      p.sampled_at ? el('div', {}, `sampled ${String(p.sampled_at).slice(0, 10)}`) : null,
      p.campaign ? el('div', {}, `campaign ${p.campaign}`) : null);
  }
  if (layer === 'hotspots') {
    return el('div', {},
      el('div', { class: 'popup-title' }, p.name ?? 'Hotspot'),
      attributeTable(p, ['kind', 'severity', 'origin', 'first_observed', 'last_observed']));
  }
  const practices = WORST_PRACTICES.filter(name => p[name] === true || p[name] === 'true').map(n => n.replaceAll('_', ' '));
  return el('div', {},
    el('div', { class: 'popup-title' }, p.name ?? 'Site'),
    attributeTable(p, ['site_code', 'status', 'admin1', 'miners_total', 'mercury_use_kg_yr']),
    practices.length ? el('div', {}, `Worst practices: ${practices.join(', ')}`) : null,
    p.id ? el('button', { type: 'button', onclick: () => openSite(p.id) }, 'Site profile') : null);
}

/** The site panel: NAP attributes and the mercury profile per matrix against the guideline. */
let shownSite = null;

export async function showSite(siteId) {
  const panel = document.getElementById('details');
  const body = clear(document.getElementById('details-body'));
  panel.hidden = false;
  shownSite = siteId;
  body.append(el('p', {}, 'Loading…'));
  try {
    const site = await fetchJson(`/api/sites/${encodeURIComponent(siteId)}`);
    let profile = null;
    try { profile = await fetchJson(`/api/sites/${encodeURIComponent(siteId)}/profile`); }
    catch (error) { if (error.status !== 404) throw error; }
    if (shownSite !== siteId) return; // another site was opened meanwhile: its answer is the one to show
    clear(body);
    body.append(
      el('h2', {}, site.properties.name),
      el('h3', {}, 'Mercury profile'),
      profile ? profileChart(profile) : el('p', {}, 'No assessment results for this site yet.'),
      el('h3', {}, 'National Action Plan baseline'),
      attributeTable(site.properties, SITE_FIELDS));
    document.getElementById('close-details').focus();
  } catch (error) {
    if (shownSite !== siteId) return;
    clear(body).append(el('p', {}, `Could not load the site: ${error.message}`));
    announce(error.message);
  }
}
