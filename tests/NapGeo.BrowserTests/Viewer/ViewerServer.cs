using Microsoft.Playwright;
using NapGeo.Demo;
using NapGeo.Geometry;
using NapGeo.Layers;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.BrowserTests.Viewer;

/// <summary>
/// The app with the demo data, one site whose name is a script, and a browser. A page is opened per test.
/// </summary>
public class ViewerServer : NapGeoServer, IAsyncLifetime
{
    public const string ScriptName = "<img src=x onerror=\"window.__xss=1\">";
    public Browser Browser { get; } = new();
    public Guid ScriptSite { get; private set; }

    // Clusters only below zoom 9, so tests looking at single samples can stay close.
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Tiles:ClusterBelowZoom", "9"), .. ExtraSettings];

    /// <summary>Kept separate from <see cref="Settings"/> so a derived server adds to it.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> ExtraSettings => [];

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using (var db = Database.CreateDataSource())
        {
            var loader = new DemoLoader(db, new FeatureInput(new GeometryInput(new CrsTransforms(db))), new LayerStore(db));
            await loader.LoadAsync(DataFolder(), TextWriter.Null, CancellationToken.None);
        }
        var site = Site(Unique("XSS"), lon: -1.60, lat: 5.60);
        site["properties"]!["name"] = ScriptName;
        ScriptSite = (await Editor().CreateAsync("sites", site)).Id;
        await Browser.InitializeAsync();
    }

    public new async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Opens the viewer and waits until the map has loaded its style and drawn.</summary>
    public async Task<IPage> OpenViewerAsync(string hash = "")
    {
        var page = await NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(new Uri(BaseAddress, "/" + hash).ToString());
        await page.WaitForFunctionAsync("() => window.napgeo?.ready === true", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await IdleAsync(page);
        Assert.Empty(errors);
        return page;
    }

    public Task<IPage> NewPageAsync() => Browser.Instance.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });

    public static Task IdleAsync(IPage page) =>
        page.EvaluateAsync("() => new Promise(resolve => { const m = window.napgeo.map; if (m.loaded() && m.areTilesLoaded()) resolve(true); else m.once('idle', () => resolve(true)); })");

    public static async Task<int> RenderedAsync(IPage page, string sourceLayer) =>
        await page.EvaluateAsync<int>(
            "l => { const m = window.napgeo.map; const ids = m.getStyle().layers.filter(x => x['source-layer'] === l).map(x => x.id);" +
            " return m.queryRenderedFeatures({ layers: ids }).length; }", sourceLayer);

    private static string DataFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "data", "sites.geojson"))) return Path.Combine(dir.FullName, "data");
        throw new DirectoryNotFoundException("data/sites.geojson not found above the test binaries");
    }
}
