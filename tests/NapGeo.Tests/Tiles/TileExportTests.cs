using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using NapGeo.Tiles;
using static NapGeo.Tests.Tiles.TilesServer;

namespace NapGeo.Tests.Tiles;

/// <summary>PMTiles archives, read back with the reference reader (npm package pmtiles).</summary>
[Collection(TilesCollection.Name)]
public sealed class TileExportTests(TilesServer server)
{
    private static async Task<(JsonObject Info, byte[]? Tile)> ReadAsync(string archive, TileAddress t)
    {
        var out_ = Path.Combine(Path.GetTempPath(), $"napgeo-{Guid.NewGuid():N}.mvt");
        try
        {
            var script = Path.Combine(NodeTools(), "read-pmtiles.mjs");
            Assert.True(Directory.Exists(Path.Combine(NodeTools(), "node_modules", "pmtiles")), "npm packages missing: ./napgeo installs them at build time (npm ci in tests/NapGeo.Tests/Tiles/node)");
            var info = JsonNode.Parse(await RunAsync("node", $"{script} {archive} {t.Z} {t.X} {t.Y} {out_}"))!.AsObject();
            return (info, File.Exists(out_) ? await File.ReadAllBytesAsync(out_) : null);
        }
        finally
        {
            File.Delete(out_);
        }
    }

    [Fact]
    public async Task An_exported_archive_holds_exactly_the_tiles_the_server_serves()
    {
        var archive = Path.Combine(Path.GetTempPath(), $"napgeo-{Guid.NewGuid():N}.pmtiles");
        try
        {
            await using var db = server.Database.CreateDataSource();
            var service = new TileService(db, new TileOptions { ClusterBelowZoom = 10 });
            var box = new LonLatBox(Lon - 0.01, Lat - 0.01, Lon + 0.05, Lat + 0.02);
            var result = await TileExport.RunAsync(new TileExport.Request(service.Find("napgeo")!, 2, 14, box, archive), service, TextWriter.Null, default);
            Assert.True(result.Tiles >= 13, $"{result.Tiles} tiles"); // at least one per zoom 2..14

            foreach (var z in new[] { 2, 8, 9, 10, 14 })
            {
                var t = TileAt(Lon + 0.005, Lat + 0.005, z);
                var (info, tile) = await ReadAsync(archive, t);
                Assert.NotNull(tile);
                Assert.Equal(await server.TileBytesAsync("napgeo", t), tile);
                var header = info["header"]!;
                Assert.Equal(3, (int)header["specVersion"]!);
                Assert.Equal(1, (int)header["tileType"]!);
                Assert.Equal(2, (int)header["minZoom"]!);
                Assert.Equal(14, (int)header["maxZoom"]!);
                Assert.Equal(box.West, (double)header["minLon"]!, 1e-6);
                // The box is 0.06° wide: 13 is the highest zoom at which it fits a 1024 px wide view.
                Assert.Equal(13, (int)header["centerZoom"]!);
                Assert.Equal(["sites", "hotspots", "samples"], info["metadata"]!["vector_layers"]!.AsArray().Select(l => (string)l!["id"]!));
            }
            // Below the minimum zoom and where there is no data the archive has no tile.
            Assert.Null((await ReadAsync(archive, TileAt(Lon, Lat, 1))).Tile);
            Assert.Null((await ReadAsync(archive, TileAt(Lon + 0.3, Lat + 0.3, 14))).Tile);
        }
        finally
        {
            File.Delete(archive);
        }
    }

    [Fact]
    public async Task A_tile_holding_only_a_point_across_its_edge_at_the_first_single_feature_zoom_is_exported_as_served()
    {
        // 0.0001° east of a z9 tile's west edge, alone in the South Atlantic: the z9 tile to the west has no cluster,
        // while its z10 child serves the point in its edge buffer.
        var (lon, lat) = (0.0001, -30.0);
        await server.Editor().CreateAsync("samples", Infrastructure.Features.Sample(lon, lat));
        var west = TileAt(lon - 0.001, lat, 10);
        Assert.Equal(HttpStatusCode.NoContent, (await server.GetTileAsync("samples", west with { Z = 9, X = west.X / 2, Y = west.Y / 2 })).StatusCode);
        var served = await server.TileBytesAsync("samples", west);
        Assert.NotEmpty(served);

        var archive = Path.Combine(Path.GetTempPath(), $"napgeo-{Guid.NewGuid():N}.pmtiles");
        try
        {
            await using var db = server.Database.CreateDataSource();
            var service = new TileService(db, new TileOptions { ClusterBelowZoom = 10 });
            await TileExport.RunAsync(new TileExport.Request(service.Find("samples")!, 9, 10, new LonLatBox(-1, -31, 1, -29), archive), service, TextWriter.Null, default);
            Assert.Equal(served, (await ReadAsync(archive, west)).Tile);
            Assert.Equal(await server.TileBytesAsync("samples", TileAt(lon, lat, 10)), (await ReadAsync(archive, TileAt(lon, lat, 10))).Tile);
        }
        finally
        {
            File.Delete(archive);
        }
    }

    [Theory]
    [InlineData(-3.2, 4.8, -0.4, 7.1, 0, 10, 7)]        // Ghana's mining belt: 2.8° × 2.3° fits at 7 (its height decides)
    [InlineData(-180, -85.05, 180, 85.05, 0, 14, 0)]    // the world
    [InlineData(177, -19, -179, -16, 0, 14, 7)]         // Fiji, across the antimeridian: 4° wide, not 356°
    [InlineData(177, -19, -179, -16, 9, 14, 9)]         // never outside the archive's zooms
    public void An_archive_opens_at_the_zoom_that_fits_its_bounds(double west, double south, double east, double north, int min, int max, int expected) =>
        Assert.Equal(expected, TileMath.FitZoom(new LonLatBox(west, south, east, north), min, max));

    [Theory]
    [InlineData(-3.2, 4.8, -0.4, 7.1, -1.8, 5.95)]
    [InlineData(177, -19, -179, -16, 179, -17.5)]       // across 180°: between the edges, not at -1° (the Gulf of Guinea)
    [InlineData(170, -19, -170, -16, 180, -17.5)]
    [InlineData(179, 60, -171, 70, -176, 65)]           // Chukotka: the middle lies east of 180°
    public void An_archive_is_centred_between_its_edges_even_across_the_antimeridian(double west, double south, double east, double north, double lon, double lat)
    {
        var center = new LonLatBox(west, south, east, north).Center;
        Assert.Equal(lon, center.Lon, 9);
        Assert.Equal(lat, center.Lat, 9);
    }

    [Fact]
    public async Task An_MBTiles_export_is_readable_by_GDAL()
    {
        var archive = Path.Combine(Path.GetTempPath(), $"napgeo-{Guid.NewGuid():N}.mbtiles");
        try
        {
            await using var db = server.Database.CreateDataSource();
            var service = new TileService(db, new TileOptions { ClusterBelowZoom = 10 });
            var box = new LonLatBox(Lon - 0.01, Lat - 0.01, Lon + 0.05, Lat + 0.02);
            var result = await TileExport.RunAsync(new TileExport.Request(service.Find("napgeo")!, 10, 14, box, archive), service, TextWriter.Null, default);
            Assert.True(result.Tiles >= 5, $"{result.Tiles} tiles");

            var summary = await RunAsync("ogrinfo", $"-ro -so {archive}");
            Assert.Contains("format=pbf", summary);
            foreach (var layer in new[] { "sites", "hotspots", "samples" }) Assert.Matches($@"\d+: {layer}\b", summary);
            var sites = await RunAsync("ogrinfo", $"-ro -oo ZOOM_LEVEL=14 {archive} sites");
            Assert.Contains($"id (String) = {server.BigSite}", sites);
            Assert.Contains("name (String) = Big site", sites);
            var samples = await RunAsync("ogrinfo", $"-ro -oo ZOOM_LEVEL=14 {archive} samples");
            foreach (var id in server.Samples) Assert.Contains($"id (String) = {id}", samples);
        }
        finally
        {
            File.Delete(archive);
        }
    }

    [Fact]
    public async Task Large_archives_use_leaf_directories_that_the_reference_reader_follows()
    {
        var archive = Path.Combine(Path.GetTempPath(), $"napgeo-{Guid.NewGuid():N}.pmtiles");
        try
        {
            // 20,000 scattered z12 tiles of varied sizes: a directory that does not compress into the 16 KiB root.
            var random = new Random(7);
            var tiles = new HashSet<TileAddress>();
            while (tiles.Count < 20_000) tiles.Add(new TileAddress(12, random.Next(4096), random.Next(4096)));
            using (var writer = new PmTilesWriter())
            {
                foreach (var t in tiles) writer.Add(t, System.Text.Encoding.UTF8.GetBytes($"{t.Z}/{t.X}/{t.Y}" + new string('.', random.Next(200))));
                await using var file = File.Create(archive);
                writer.WriteTo(file, new PmTilesWriter.Metadata("{}", 12, 12, new LonLatBox(-180, -85, 180, 85), 12));
            }
            foreach (var t in tiles.Where((_, i) => i % 4000 == 0))
            {
                var (info, tile) = await ReadAsync(archive, t);
                Assert.True((long)info["header"]!["leafDirectoryLength"]! > 0);
                Assert.StartsWith($"{t.Z}/{t.X}/{t.Y}.", System.Text.Encoding.UTF8.GetString(tile!) + ".");
            }
            var missing = new TileAddress(12, 0, 0);
            while (tiles.Contains(missing)) missing = missing with { X = missing.X + 1 };
            Assert.Null((await ReadAsync(archive, missing)).Tile);
        }
        finally
        {
            File.Delete(archive);
        }
    }

    [Fact]
    public void Tile_ids_follow_the_PMTiles_Hilbert_numbering()
    {
        // Values from the PMTiles specification's test vectors.
        Assert.Equal(0UL, PmTilesWriter.TileId(new(0, 0, 0)));
        Assert.Equal(1UL, PmTilesWriter.TileId(new(1, 0, 0)));
        Assert.Equal(2UL, PmTilesWriter.TileId(new(1, 0, 1)));
        Assert.Equal(3UL, PmTilesWriter.TileId(new(1, 1, 1)));
        Assert.Equal(4UL, PmTilesWriter.TileId(new(1, 1, 0)));
        Assert.Equal(5UL, PmTilesWriter.TileId(new(2, 0, 0)));
        Assert.Equal(19078479UL, PmTilesWriter.TileId(new(12, 3423, 1763)));
    }
}
