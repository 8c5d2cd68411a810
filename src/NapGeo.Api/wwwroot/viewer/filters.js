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

/**
 * Filters live in the page's query string (the view is in its hash), so a reload or a shared link shows the same
 * selection: read at start-up, written when filters are applied or cleared.
 */
export function filtersFromUrl() {
  const query = new URLSearchParams(location.search);
  const filters = {};
  for (const name of TILE_PARAMETERS) {
    const value = query.get(name)?.trim();
    if (value) filters[name] = name === 'country' ? value.toUpperCase() : value;
  }
  return filters;
}

export function fillForm(form, filters) {
  for (const [name, value] of Object.entries(filters)) {
    const input = form.elements.namedItem(name);
    if (input) input.value = value;
  }
}

export function keepInUrl(filters) {
  const url = new URL(location.href);
  for (const name of TILE_PARAMETERS) url.searchParams.delete(name);
  for (const [name, value] of Object.entries(filters)) url.searchParams.set(name, value);
  history.replaceState(history.state, '', url);
}
