namespace NapGeo.Tiles;

/// <summary>
/// A bare page that draws <c>/styles/napgeo.json</c> with the app's own MapLibre GL JS: for checking tiles by eye
/// and for the browser test. The real viewer lives elsewhere. <c>?lon=&amp;lat=&amp;zoom=</c> set the view;
/// <c>window.napgeoMap</c> is the map and <c>window.napgeoReady</c> resolves once it has rendered.
/// </summary>
public static class TilePreview
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>NapGeo tiles preview</title>
          <link rel="stylesheet" href="/vendor/maplibre-gl/maplibre-gl.css">
          <style>html, body, #map { margin: 0; height: 100%; }</style>
        </head>
        <body>
          <div id="map"></div>
          <script type="module">
            import * as maplibregl from '/vendor/maplibre-gl/maplibre-gl.mjs';
            const q = new URLSearchParams(location.search);
            const map = new maplibregl.Map({
              container: 'map',
              style: '/styles/napgeo.json',
              center: [Number(q.get('lon') ?? -1.9), Number(q.get('lat') ?? 5.3)],
              zoom: Number(q.get('zoom') ?? 8),
            });
            window.napgeoMap = map;
            window.napgeoReady = new Promise((resolve, reject) => {
              map.once('idle', () => resolve(true));
              map.on('error', e => reject(String(e.error?.message ?? e)));
            });
          </script>
        </body>
        </html>
        """;
}
