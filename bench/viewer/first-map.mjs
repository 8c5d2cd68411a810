// Time from navigation to the first drawn map with data, for the viewer (/) and for a floor: the same MapLibre
// build drawing a style with nothing but a background, from the same server, in the same browser.
import { chromium } from 'playwright-core';

const [base, runs = '5'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.NAPGEO_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});

async function viewer() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const start = Date.now();
  await page.goto(`${base}/`);
  // The map is on screen when MapLibre has drawn features of the data layers.
  await page.waitForFunction(() => window.napgeo?.map?.loaded() &&
    window.napgeo.map.queryRenderedFeatures({ layers: ['sites-fill'] }).length > 0, null, { timeout: 60_000, polling: 20 });
  const ms = Date.now() - start;
  await page.close();
  return ms;
}

async function floor() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}/viewer/config.json`); // same origin for the module import below
  const start = Date.now();
  await page.setContent(`<div id="map" style="width:1280px;height:800px"></div><script type="module">
    import * as maplibregl from '/vendor/maplibre-gl/maplibre-gl.mjs';
    const map = new maplibregl.Map({ container: 'map', style: { version: 8, sources: {},
      layers: [{ id: 'bg', type: 'background', paint: { 'background-color': '#eee' } }] } });
    map.once('idle', () => { window.done = true; });
  </script>`);
  await page.waitForFunction(() => window.done === true, null, { timeout: 60_000, polling: 20 });
  const ms = Date.now() - start;
  await page.close();
  return ms;
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await viewer(); await floor(); // warm: first start of the browser, server JIT
const v = [], f = [];
for (let i = 0; i < Number(runs); i++) { v.push(await viewer()); f.push(await floor()); }
console.log(JSON.stringify({ viewer_ms: v, floor_ms: f, viewer_median_ms: median(v), floor_median_ms: median(f),
  ratio: +(median(v) / median(f)).toFixed(2) }));
await browser.close();
