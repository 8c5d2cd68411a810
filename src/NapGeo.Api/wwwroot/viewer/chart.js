import { el, formatValue } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * One row per matrix: the range of values (min–max) and the median, as multiples of the guideline on a log scale,
 * so water in µg/L and soil in mg/kg can be read against one line: the guideline at 1×.
 */
export function profileChart(profile) {
  const rows = (profile.matrices ?? []).filter(m => m.count > 0);
  if (rows.length === 0) return el('p', {}, 'No samples at this site.');
  const width = 340, rowHeight = 26, left = 70, right = 12, top = 18;
  const height = top + rows.length * rowHeight + 28;
  const minLog = -2, maxLog = 2; // 0.01× … 100× the guideline
  const x = ratio => left + (Math.min(Math.max(Math.log10(Math.max(ratio, 1e-6)), minLog), maxLog) - minLog) / (maxLog - minLog) * (width - left - right);
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': 'Mercury per matrix as multiples of the guideline value' });
  for (const tick of [0.01, 0.1, 1, 10, 100]) {
    chart.append(svg('line', { x1: x(tick), x2: x(tick), y1: top - 4, y2: height - 24, stroke: tick === 1 ? '#b42318' : '#e3e7ec',
      class: tick === 1 ? 'guide' : '' }));
    chart.append(svg('text', { x: x(tick), y: height - 10, 'text-anchor': 'middle' }, `${tick}×`));
  }
  chart.append(svg('text', { x: x(1) + 4, y: top - 6, fill: '#b42318' }, 'guideline'));
  rows.forEach((row, i) => {
    const y = top + i * rowHeight + rowHeight / 2;
    chart.append(svg('text', { x: 4, y: y + 4 }, row.matrix));
    const guideline = row.guideline_value;
    if (!guideline || row.median === null || row.median === undefined) {
      const why = !guideline ? 'no guideline' : 'all below detection';
      chart.append(svg('text', { x: left, y: y + 4, fill: '#5b6776' }, `${row.count} samples, ${why}`));
      return;
    }
    const title = `${row.matrix}: ${row.count} samples, min ${formatValue(row.min)}, median ${formatValue(row.median)}, ` +
      `max ${formatValue(row.max)} ${row.unit ?? ''}; guideline ${formatValue(guideline)}`;
    const group = svg('g', {});
    group.append(svg('title', {}, title));
    group.append(svg('line', { x1: x(row.min / guideline), x2: x(row.max / guideline), y1: y, y2: y, class: 'range' }));
    group.append(svg('circle', { cx: x(row.median / guideline), cy: y, r: 4.5, fill: row.median > guideline ? '#b42318' : '#2e7d32' }));
    chart.append(group);
  });
  const table = el('table', { class: 'attributes' },
    el('tr', {}, el('th', {}, 'matrix'), el('th', {}, 'n'), el('th', {}, 'median'), el('th', {}, '> guideline')),
    rows.map(r => el('tr', {}, el('td', {}, r.matrix), el('td', {}, r.count),
      el('td', {}, `${formatValue(r.median)} ${r.unit ?? ''}`),
      el('td', {}, r.share_above === undefined || r.share_above === null ? '—' : `${Math.round(r.share_above * 100)} %`))));
  return el('div', {}, chart, table);
}
