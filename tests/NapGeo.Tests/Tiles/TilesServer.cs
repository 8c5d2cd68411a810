using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using NapGeo.Tiles;
using NetTopologySuite.IO.VectorTiles.Mapbox;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Tiles;

/// <summary>
/// A server with its own database holding a small known data set far from the demo data (Zambia, around 30°E 10°S):
/// two sites (one tiny), a polygon and a point hotspot, and samples of two matrices. Samples cluster below zoom 10.
/// </summary>
public sealed class TilesServer : NapGeoServer, IAsyncLifetime
{
    /// <summary>A z14 tile that holds the whole data set except the tiny site; Lon/Lat is 0.002° inside its south-west corner.</summary>
    public static readonly TileAddress Home = TileAt(30.05, -10.05, 14);
    public static readonly double Lon = TileMath.Bounds(Home).West + 0.002, Lat = TileMath.Bounds(Home).South + 0.002;

    public Guid BigSite { get; private set; }
    public Guid TinySite { get; private set; }
    public Guid PolygonHotspot { get; private set; }
    public Guid PointHotspot { get; private set; }
    public List<Guid> Samples { get; } = [];

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("Tiles:ClusterBelowZoom", "10"), new("Tiles:CacheControl", "public, max-age=5")];

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var editor = Editor();
        var big = Site(Unique("ZM")); big["geometry"] = Square(Lon, Lat, 0.012);
        big["properties"]!["country"] = "ZMB"; big["properties"]!["name"] = "Big site";
        BigSite = (await editor.CreateAsync("sites", big)).Id;
        var tiny = Site(Unique("ZM")); tiny["geometry"] = Square(Lon + 0.04, Lat, 0.0005);
        tiny["properties"]!["country"] = "ZMB"; tiny["properties"]!["name"] = "Tiny site"; tiny["properties"]!["status"] = "abandoned";
        TinySite = (await editor.CreateAsync("sites", tiny)).Id;
        PolygonHotspot = (await editor.CreateAsync("hotspots", Hotspot(Square(Lon + 0.003, Lat + 0.003, 0.003), "Burning shed"))).Id;
        PointHotspot = (await editor.CreateAsync("hotspots", Hotspot(Point(Lon + 0.011, Lat + 0.014), "Gold shop"))).Id;
        for (var i = 0; i < 3; i++) Samples.Add((await editor.CreateAsync("samples", Sample(Lon + 0.001 + i * 0.003, Lat + 0.001, "soil", 1 + i))).Id);
        Samples.Add((await editor.CreateAsync("samples", Sample(Lon + 0.010, Lat + 0.004, "water", 0.5, "µg/L"))).Id);
    }

    /// <summary>The tile of zoom <paramref name="z"/> containing a point.</summary>
    public static TileAddress TileAt(double lon, double lat, int z) =>
        new(z, (int)Math.Floor(TileMath.LonToX(lon, z)), (int)Math.Floor(TileMath.LatToY(lat, z)));

    public async Task<HttpResponseMessage> GetTileAsync(string source, TileAddress t, string query = "", Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/tiles/{source}/{t.Z}/{t.X}/{t.Y}.mvt{query}");
        configure?.Invoke(request);
        return await Client().SendAsync(request);
    }

    public async Task<byte[]> TileBytesAsync(string source, TileAddress t, string query = "")
    {
        var response = await GetTileAsync(source, t, query);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent, $"{source}/{t}: {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Decodes with NetTopologySuite.IO.VectorTiles.Mapbox (geometries in lon/lat).</summary>
    public static NetTopologySuite.IO.VectorTiles.VectorTile Decode(byte[] data, TileAddress t)
    {
        using var stream = new MemoryStream(data);
        return new MapboxTileReader().Read(stream, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(t.X, t.Y, t.Z));
    }

    public async Task<JsonObject> JsonAsync(string path, string? apiKey = null)
    {
        var response = await Client(apiKey).GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    /// <summary>Runs a tool and returns its standard output; fails the test with its error output otherwise.</summary>
    public static async Task<string> RunAsync(string file, string arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {arguments} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    /// <summary>tests/NapGeo.Tests/Tiles/node, where ./napgeo installs the JavaScript readers the tests use.</summary>
    public static string NodeTools([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "node");
}

[CollectionDefinition(Name)]
public sealed class TilesCollection : ICollectionFixture<TilesServer>
{
    public const string Name = "tiles";
}
