// Every filter reaches the server as a tile query parameter, so tiles (and the counts of low-zoom clusters)
// carry only what was asked for.
const TILE_PARAMETERS = ['country', 'status', 'matrix', 'exceedance_class', 'from', 'to'];

export function readFilters(form) {
  const data = new FormData(form);
  const filters = {};
  for (const name of TILE_PARAMETERS) {
    const value = String(data.get(name) ?? '').trim();
    if (value) filters[name] = name === 'country' ? value.toUpperCase() : value;
  }
  return filters;
}

export function applyFilters(map, filters, tileTemplates) {
  const query = new URLSearchParams(filters).toString();
  for (const [sourceId, templates] of Object.entries(tileTemplates)) {
    const source = map.getSource(sourceId);
    if (source?.setTiles) source.setTiles(templates.map(t => withQuery(t, query)));
  }
}

function withQuery(template, query) {
  const [base] = template.split('?');
  return query ? `${base}?${query}` : base;
}
