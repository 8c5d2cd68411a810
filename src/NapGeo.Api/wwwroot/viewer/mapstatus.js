import { el } from './dom.js';

/**
 * What the map says about its own state, over the map: "loading" until the style and the first tiles are in (slow
 * links take a while, and a blank map reads as broken), and problems that stay until they are solved. A toast that
 * faded after a few seconds left planners in front of an empty map with no reason and no way out.
 */
export function setUpMapStatus(map) {
  const container = map.getContainer();
  const loading = el('div', { class: 'map-loading', role: 'status' }, 'Loading the map…');
  const problems = el('div', { class: 'map-problems' });
  container.append(loading, problems);
  const stopLoading = () => loading.remove();
  map.once('idle', stopLoading); // the style and the tiles in view have arrived (or failed)

  /** Shows a problem (one of each kind at a time) with a button that tries again; the alert role has it read out. */
  const show = (kind, message, retry) => {
    stopLoading();
    problems.querySelector(`[data-kind="${kind}"]`)?.remove();
    problems.append(el('div', { class: 'map-problem', role: 'alert', 'data-kind': kind },
      el('p', {}, message),
      el('button', { type: 'button', onclick: retry }, 'Retry')));
  };
  return { show };
}

/** Why a request failed, in words a planner can act on. */
export function failureReason(error) {
  const status = error?.status;
  if (status) return `the server answered with an error (HTTP ${status})`;
  return 'the server could not be reached; check the connection';
}
