// Builds DOM nodes from data. Text from the database is only ever set with textContent, never as HTML,
// so a site named <img src=x onerror=alert(1)> shows as those characters.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

let statusTimer;
export function announce(message) {
  const status = document.getElementById('status');
  status.textContent = message;
  status.classList.add('visible');
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => status.classList.remove('visible'), 3500);
}

export function formatValue(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en') : value.toLocaleString('en', { maximumSignificantDigits: 4 });
  return String(value);
}

export function attributeTable(properties, names) {
  return el('table', { class: 'attributes' },
    names.filter(name => name in properties).map(name =>
      el('tr', {}, el('th', { scope: 'row' }, name.replaceAll('_', ' ')), el('td', {}, formatValue(properties[name])))));
}

/** The API key the user gave (upload panel or key dialog), kept for this browser tab only. */
export const KEY_STORAGE = 'napgeo.apiKey';
export const apiKey = () => sessionStorage.getItem(KEY_STORAGE) ?? '';
export const keyHeaders = () => (apiKey() ? { 'X-Api-Key': apiKey() } : {});

export async function fetchJson(url, options = {}) {
  const response = await fetch(url, { ...options, headers: { ...keyHeaders(), ...(options.headers ?? {}) } });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const message = body?.detail || body?.title || `${response.status} ${response.statusText}`;
    const error = new Error(message);
    error.status = response.status;
    error.problem = body;
    throw error;
  }
  return body;
}
