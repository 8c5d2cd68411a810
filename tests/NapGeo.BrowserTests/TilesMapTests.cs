using System.Text.Json;
using Microsoft.Playwright;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.BrowserTests;

/// <summary>MapLibre GL JS, served by the app from npm, draws /styles/napgeo.json in a real browser.</summary>
public sealed class TilesMapTests(NapGeoServer server, Browser browser) : IClassFixture<NapGeoServer>, IClassFixture<Browser>
{
    [Fact]
    public async Task MapLibre_renders_sites_hotspots_and_samples_from_the_napgeo_style()
    {
        var editor = server.Editor();
        var (site, _, _) = await editor.CreateAsync("sites", Site(Unique("WEB"), lon: 36.0, lat: -3.0));
        var (hotspot, _, _) = await editor.CreateAsync("hotspots", Hotspot(Point(36.004, -2.996)));
        var (sample, _, _) = await editor.CreateAsync("samples", Sample(36.006, -2.994));

        var page = await browser.Instance.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 800, Height = 600 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.RequestFailed += (_, r) => errors.Add($"{r.Url}: {r.Failure}");
        page.Response += (_, r) => { if (r.Status >= 400 && !r.Url.EndsWith("/favicon.ico")) errors.Add($"{r.Url}: {r.Status}"); };
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.Contains("404")) errors.Add(m.Text); };
        var response = await page.GotoAsync(new Uri(server.BaseAddress, "/tiles/preview.html?lon=36.005&lat=-2.995&zoom=14").ToString());
        Assert.True(response!.Ok);
        try { await page.WaitForFunctionAsync("() => window.napgeoReady !== undefined", null, new() { Timeout = 20_000 }); }
        catch (TimeoutException) { Assert.Fail("The page did not start the map: " + string.Join("; ", errors)); }
        Assert.True(await page.EvaluateAsync<bool>("() => window.napgeoReady"), string.Join("; ", errors));

        var found = await page.EvaluateAsync<JsonElement>("""
            () => window.napgeoMap.queryRenderedFeatures().map(f => ({ layer: f.layer.id, id: f.properties.id, fid: f.id }))
            """);
        var rendered = found.EnumerateArray().Select(f => (Layer: f.GetProperty("layer").GetString(), Id: f.GetProperty("id").GetString())).ToList();
        Assert.Contains(("sites-fill", site.ToString()), rendered);
        Assert.Contains(("hotspots-point", hotspot.ToString()), rendered);
        Assert.Contains(("samples-points", sample.ToString()), rendered);
        // The MVT feature id survives into MapLibre as an exact integer (usable for feature state).
        var siteFid = found.EnumerateArray().First(f => f.GetProperty("id").GetString() == site.ToString()).GetProperty("fid").GetUInt64();
        Assert.Equal(NapGeo.Tiles.TileFields.FeatureId(site), siteFid);

        // At low zoom the samples come as clusters.
        await page.EvaluateAsync<bool>("() => new Promise(r => { window.napgeoMap.once('idle', () => r(true)); window.napgeoMap.jumpTo({ zoom: 6 }); })");
        var clusters = await page.EvaluateAsync<int>("() => window.napgeoMap.queryRenderedFeatures({ layers: ['samples-clusters'] }).length");
        Assert.True(clusters >= 1);
        Assert.Empty(errors);
    }
}
