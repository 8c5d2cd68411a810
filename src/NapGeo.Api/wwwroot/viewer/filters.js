// Filters reach the server as tile query parameters (country, matrix, from, to), so the tiles carry only what
// was asked for; site status and exceedance class also narrow what is drawn from those tiles.
const FORM_FIELDS = ['country', 'matrix', 'from', 'to', 'status', 'exceedance_class'];
const TILE_PARAMETERS = ['country', 'matrix', 'from', 'to'];

export function readFilters(form) {
  const data = new FormData(form);
  const filters = {};
  for (const name of FORM_FIELDS) {
    const value = String(data.get(name) ?? '').trim();
    if (value) filters[name] = name === 'country' ? value.toUpperCase() : value;
  }
  return filters;
}

export function applyFilters(map, filters, originalFilters, tileTemplates) {
  const query = new URLSearchParams(Object.entries(filters).filter(([name]) => TILE_PARAMETERS.includes(name))).toString();
  for (const [sourceId, templates] of Object.entries(tileTemplates)) {
    const source = map.getSource(sourceId);
    if (!source?.setTiles) continue;
    source.setTiles(templates.map(t => withQuery(t, query)));
  }
  for (const layer of map.getStyle().layers) {
    if (!(layer.id in originalFilters)) continue;
    const clauses = [];
    if (layer['source-layer'] === 'sites' && filters.status) clauses.push(['==', ['get', 'status'], filters.status]);
    if (layer['source-layer'] === 'samples' && filters.exceedance_class)
      clauses.push(['==', ['get', 'exceedance_class'], filters.exceedance_class]);
    const original = originalFilters[layer.id];
    const combined = clauses.length === 0 ? original : ['all', ...(original ? [original] : []), ...clauses];
    map.setFilter(layer.id, combined ?? null);
  }
}

function withQuery(template, query) {
  const [base] = template.split('?');
  return query ? `${base}?${query}` : base;
}
