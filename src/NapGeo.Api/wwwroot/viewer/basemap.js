import { feature } from '/vendor/topojson-client/index.js';

// An offline basemap: Natural Earth country outlines (world-atlas, served by NapGeo itself) under the data layers.
// Names are HTML labels rather than map symbols, so no glyph server is needed.
export async function addOfflineBasemap(map, maplibregl, beforeLayerId) {
  const topology = await (await fetch('/vendor/world-atlas/countries-50m.json')).json();
  const countries = feature(topology, topology.objects.countries);
  map.addSource('basemap-countries', { type: 'geojson', data: countries, attribution: 'Natural Earth (public domain)' });
  map.addLayer({ id: 'basemap-land', type: 'fill', source: 'basemap-countries', paint: { 'fill-color': '#eef0e6' } }, beforeLayerId);
  map.addLayer({
    id: 'basemap-borders', type: 'line', source: 'basemap-countries',
    paint: { 'line-color': '#9aa4ad', 'line-width': ['interpolate', ['linear'], ['zoom'], 2, 0.4, 8, 1.2] },
  }, beforeLayerId);
  addCountryLabels(map, maplibregl, countries.features);
}

export function addOnlineBasemap(map, url, beforeLayerId) {
  map.addSource('basemap-online', { type: 'raster', tiles: [url], tileSize: 256 });
  map.addLayer({ id: 'basemap-online', type: 'raster', source: 'basemap-online' }, beforeLayerId);
}

function addCountryLabels(map, maplibregl, countries) {
  const labels = countries
    .filter(c => c.properties?.name)
    .map(c => {
      const ring = largestRing(c.geometry);
      if (!ring) return null;
      const [minX, minY, maxX, maxY] = bounds(ring);
      const size = (maxX - minX) * (maxY - minY);
      const node = document.createElement('div');
      node.className = 'country-label';
      node.textContent = c.properties.name;
      const marker = new maplibregl.Marker({ element: node }).setLngLat([(minX + maxX) / 2, (minY + maxY) / 2]);
      return { marker, size, shown: false };
    })
    .filter(Boolean);
  // Larger countries are named from lower zooms so labels do not pile up.
  const update = () => {
    const zoom = map.getZoom();
    const minimumSize = zoom < 3 ? 150 : zoom < 4 ? 30 : zoom < 5 ? 4 : 0;
    for (const label of labels) {
      const show = zoom >= 2 && label.size >= minimumSize;
      if (show && !label.shown) label.marker.addTo(map);
      if (!show && label.shown) label.marker.remove();
      label.shown = show;
    }
  };
  map.on('zoomend', update);
  update();
}

function largestRing(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  let best = null, bestSize = -1;
  for (const polygon of polygons) {
    const [minX, minY, maxX, maxY] = bounds(polygon[0]);
    const size = (maxX - minX) * (maxY - minY);
    if (size > bestSize) { best = polygon[0]; bestSize = size; }
  }
  return best;
}

export function bounds(positions) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of positions) {
    if (x < minX) minX = x; if (y < minY) minY = y; if (x > maxX) maxX = x; if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}
