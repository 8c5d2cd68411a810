import { el, clear } from './dom.js';

export const DATA_LAYERS = [
  { sourceLayer: 'sites', title: 'ASGM sites' },
  { sourceLayer: 'hotspots', title: 'Mercury hotspots' },
  { sourceLayer: 'samples', title: 'Assessment samples' },
];

/** The style layers that draw one source-layer (e.g. a fill and an outline for sites). */
export function styleLayersOf(map, sourceLayer) {
  return map.getStyle().layers.filter(l => l['source-layer'] === sourceLayer).map(l => l.id);
}

/** Layer toggles with a legend read from the style itself, so the legend always matches what is drawn. */
export function buildLayerPanel(map, container) {
  clear(container);
  for (const { sourceLayer, title } of DATA_LAYERS) {
    const ids = styleLayersOf(map, sourceLayer);
    if (ids.length === 0) continue;
    const checkbox = el('input', { type: 'checkbox', checked: true, 'data-layer': sourceLayer, id: `toggle-${sourceLayer}` });
    checkbox.addEventListener('change', () => {
      for (const id of ids) map.setLayoutProperty(id, 'visibility', checkbox.checked ? 'visible' : 'none');
    });
    container.append(el('div', { class: 'layer' },
      el('label', { class: 'toggle', for: `toggle-${sourceLayer}` }, checkbox, title),
      legendFor(map, ids)));
  }
}

function legendFor(map, ids) {
  const entries = new Map();
  for (const id of ids) {
    const layer = map.getStyle().layers.find(l => l.id === id);
    const property = { fill: 'fill-color', circle: 'circle-color', line: 'line-color' }[layer.type];
    if (!property || layer.type === 'line' && ids.length > 1) continue; // outlines repeat their fill's classes
    const shape = layer.type === 'circle' ? 'circle' : 'square';
    for (const [label, color] of colourClasses(layer.paint?.[property])) {
      if (!entries.has(label)) entries.set(label, { color, shape });
    }
  }
  return el('ul', { class: 'legend' }, [...entries].map(([label, { color, shape }]) =>
    el('li', {}, el('span', { class: `swatch ${shape}`, style: `background:${color}` }), label)));
}

/** [label, colour] pairs from a paint value: a colour, or match/case expressions (nested ones too). */
export function colourClasses(value, prefix = '') {
  if (typeof value === 'string') return [[prefix || 'all', value]];
  if (!Array.isArray(value)) return [];
  const [operator, ...args] = value;
  if (operator === 'match') {
    const input = args[0];
    const property = Array.isArray(input) && input[0] === 'get' ? input[1] : '';
    const pairs = [];
    for (let i = 1; i + 1 < args.length; i += 2) {
      const labels = Array.isArray(args[i]) ? args[i].join(', ') : String(args[i]);
      pairs.push(...colourClasses(args[i + 1], labelOf(property, labels)));
    }
    // The fallback colour is for values outside the vocabulary (or mixed clusters): not a legend class.
    return pairs;
  }
  if (operator === 'case') {
    const pairs = [];
    for (let i = 0; i + 1 < args.length; i += 2) pairs.push(...colourClasses(args[i + 1], prefix));
    pairs.push(...colourClasses(args[args.length - 1], prefix));
    return pairs;
  }
  if (operator === 'step' || operator === 'interpolate') return [];
  return [];
}

function labelOf(property, values) {
  return property === 'exceedance_class' ? `${values} (guideline)` : values.replaceAll('_', ' ');
}
