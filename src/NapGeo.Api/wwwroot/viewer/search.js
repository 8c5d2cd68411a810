import { el, clear, announce, fetchJson } from './dom.js';
import { bounds } from './basemap.js';

/** Site search by name or code (GET /api/sites?q=) with keyboard navigation; choosing a result zooms to it. */
export function setUpSearch(map, onChoose) {
  const form = document.getElementById('search-form');
  const input = document.getElementById('search-input');
  const list = document.getElementById('search-results');
  let results = [];
  let resultsTerm = null; // the term the listed results answer
  let active = -1;
  let pending;

  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); active = -1; };
  const highlight = index => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === index)));
    if (index >= 0) input.setAttribute('aria-activedescendant', list.children[index].id);
    else input.removeAttribute('aria-activedescendant');
  };
  const choose = index => {
    const site = results[index];
    if (!site) return;
    close();
    input.value = site.properties.name;
    const [minX, minY, maxX, maxY] = bounds(site.geometry.coordinates.flat(2));
    onChoose(site);
    // The site panel narrows the map: fit once the layout has settled, or the site lands off-centre.
    requestAnimationFrame(() => {
      map.resize();
      map.fitBounds([[minX, minY], [maxX, maxY]], { padding: 60, maxZoom: 15 });
    });
  };

  const search = async term => {
    const page = await fetchJson(`/api/sites?q=${encodeURIComponent(term)}&limit=10`);
    if (input.value.trim() !== term) return false; // a slower answer to an earlier term: the newer one shows
    results = page.features;
    resultsTerm = term;
    return true;
  };

  input.addEventListener('input', () => {
    clearTimeout(pending);
    if (!list.hidden) highlight(-1); // a result picked with the arrows is for the term as it was
    const term = input.value.trim();
    if (term.length < 2) { close(); return; }
    pending = setTimeout(async () => {
      try {
        if (!await search(term)) return;
        clear(list);
        results.forEach((site, i) => list.append(el('li', {
          id: `search-result-${i}`, role: 'option', 'aria-selected': 'false',
          onmousedown: event => { event.preventDefault(); choose(i); },
        }, site.properties.name, el('span', { class: 'code' }, site.properties.site_code))));
        if (results.length === 0) list.append(el('li', { role: 'option', 'aria-disabled': 'true' }, 'No site matches'));
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
        highlight(-1);
      } catch (error) {
        announce(`Search failed: ${error.message}`);
      }
    }, 200);
  });
  input.addEventListener('keydown', event => {
    if (list.hidden) return;
    if (event.key === 'ArrowDown') { event.preventDefault(); highlight(Math.min(active + 1, results.length - 1)); }
    else if (event.key === 'ArrowUp') { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (event.key === 'Escape') close();
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const term = input.value.trim();
    if (term === resultsTerm || active >= 0) { choose(active >= 0 ? active : 0); return; }
    // Enter came before this term's results (typed or pasted quickly): the listed ones answer an earlier term.
    if (term.length < 2) return;
    clearTimeout(pending);
    try {
      if (!await search(term)) return;
      if (results.length === 0) announce('No site matches');
      else choose(0);
    } catch (error) {
      announce(`Search failed: ${error.message}`);
    }
  });
}
