using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Tiles.TilesServer;

namespace NapGeo.Tests.Tiles;

/// <summary>Exact invalidation: a change drops the tiles it touches at every zoom and no others.</summary>
[Collection(TilesCollection.Name)]
public sealed class TileInvalidationTests(TilesServer server)
{
    private static string Cache(HttpResponseMessage response) => response.Headers.GetValues("X-Cache").Single();

    [Fact]
    public async Task Editing_a_site_through_the_API_changes_its_tiles_at_every_zoom_and_far_tiles_stay_cached()
    {
        var editor = server.Editor();
        var (id, etag, _) = await editor.CreateAsync("sites", Site(Unique("INV"), lon: 31.5, lat: -12.5));
        int[] zooms = [3, 6, 9, 12, 14];
        var near = zooms.Select(z => TileAt(31.505, -12.495, z)).ToList();
        var far = Home;
        foreach (var t in near.Append(far)) await server.GetTileAsync("sites", t);
        foreach (var t in near.Append(far)) Assert.Equal("HIT", Cache(await server.GetTileAsync("sites", t)));

        var patch = await editor.SendAsync(HttpMethod.Patch, $"/api/sites/{id}",
            new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["name"] = "Renamed site", ["status"] = "inactive" } }, etag);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        foreach (var t in near)
        {
            var response = await server.GetTileAsync("sites", t);
            Assert.Equal("MISS", Cache(response));
            var site = Decode(await response.Content.ReadAsByteArrayAsync(), t).Layers.Single().Features
                .Single(f => (string)f.Attributes["id"] == id.ToString());
            Assert.Equal("Renamed site", site.Attributes["name"]);
            Assert.Equal("inactive", site.Attributes["status"]);
        }
        Assert.Equal("HIT", Cache(await server.GetTileAsync("sites", far)));
    }

    [Fact]
    public async Task Moving_a_sample_clears_its_old_and_new_place_and_the_combined_source()
    {
        var editor = server.Editor();
        var (id, etag, _) = await editor.CreateAsync("samples", Sample(32.5, -13.5));
        var from = TileAt(32.5, -13.5, 13);
        var to = TileAt(32.7, -13.7, 13);
        foreach (var s in new[] { "samples", "napgeo" })
        {
            Assert.Single(Decode(await server.TileBytesAsync(s, from), from).Layers.Single(l => l.Name == "samples").Features);
            Assert.Equal(HttpStatusCode.NoContent, (await server.GetTileAsync(s, to)).StatusCode);
        }

        var patch = await editor.SendAsync(HttpMethod.Patch, $"/api/samples/{id}", new JsonObject { ["type"] = "Feature", ["geometry"] = Point(32.7, -13.7) }, etag);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        foreach (var s in new[] { "samples", "napgeo" })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await server.GetTileAsync(s, from)).StatusCode);
            var moved = Decode(await server.TileBytesAsync(s, to), to).Layers.Single(l => l.Name == "samples").Features;
            Assert.Equal(id.ToString(), (string)Assert.Single(moved).Attributes["id"]);
        }
    }

    [Fact]
    public async Task A_write_from_another_client_straight_to_the_database_reaches_the_cache_through_notifications()
    {
        var (id, _, _) = await server.Editor().CreateAsync("hotspots", Hotspot(Point(33.5, -14.5), "Gold shop by psql"));
        var t = TileAt(33.5, -14.5, 12);
        var before = Decode(await server.TileBytesAsync("hotspots", t), t).Layers.Single().Features.Single();
        Assert.Equal("high", before.Attributes["severity"]);
        Assert.Equal("HIT", Cache(await server.GetTileAsync("hotspots", t)));

        // As a GIS analyst with psql would: no API involved, so only LISTEN/NOTIFY can tell the server.
        await using (var db = server.Database.CreateDataSource())
        await using (var cmd = db.CreateCommand("UPDATE hotspots SET severity = 'critical' WHERE id = $1"))
        {
            cmd.Parameters.Add(new() { Value = id });
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        string? severity = null;
        for (var attempt = 0; attempt < 50 && severity != "critical"; attempt++)
        {
            if (attempt > 0) await Task.Delay(100);
            severity = (string)Decode(await server.TileBytesAsync("hotspots", t), t).Layers.Single().Features.Single().Attributes["severity"];
        }
        Assert.Equal("critical", severity);
    }

    [Theory]
    [InlineData(150, 0.1, 40.0005, -19.9995)]  // 150 cells of 0.1°: two notifications of at most 100 boxes
    [InlineData(600, 1.0, 60.0005, -39.9995)]  // 600 cells of 1°: more than 500 even when merged per degree, so the layer is flushed
    public async Task A_bulk_statement_invalidates_every_place_it_touched(int count, double spacing, double lon, double lat)
    {
        // A grid of points, 30 columns wide, in the Indian Ocean, inserted by one SQL statement; the four corner
        // tiles are cached (empty) first.
        var rows = count / 30;
        (double Lon, double Lat) Point(int column, int row) => (lon + column * spacing, lat + row * spacing);
        var probes = new[] { Point(0, 0), Point(29, 0), Point(0, rows - 1), Point(29, rows - 1) }.Select(p => TileAt(p.Lon, p.Lat, 12)).ToList();
        foreach (var t in probes)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await server.GetTileAsync("samples", t)).StatusCode);
            Assert.Equal("HIT", Cache(await server.GetTileAsync("samples", t)));
        }
        await using (var db = server.Database.CreateDataSource())
        await using (var cmd = db.CreateCommand("""
            INSERT INTO samples (external_id, campaign, geom, matrix, value, unit)
            SELECT 'P' || i, $1, ST_SetSRID(ST_MakePoint($4 + (i % 30) * $2, $5 + (i / 30) * $2), 4326), 'soil', 1, 'mg/kg'
            FROM generate_series(0, $3 - 1) AS i
            """))
        {
            cmd.Parameters.Add(new() { Value = Unique("BULK") });
            cmd.Parameters.Add(new() { Value = spacing });
            cmd.Parameters.Add(new() { Value = count });
            cmd.Parameters.Add(new() { Value = lon });
            cmd.Parameters.Add(new() { Value = lat });
            Assert.Equal(count, await cmd.ExecuteNonQueryAsync());
        }
        var seen = new int[probes.Count];
        for (var attempt = 0; attempt < 50 && seen.Any(n => n == 0); attempt++)
        {
            if (attempt > 0) await Task.Delay(100);
            for (var i = 0; i < probes.Count; i++) seen[i] = await CountAsync(probes[i]);
        }
        Assert.Equal([1, 1, 1, 1], seen);
    }

    private async Task<int> CountAsync(NapGeo.Tiles.TileAddress t) =>
        await server.TileBytesAsync("samples", t) is { Length: > 0 } data ? Decode(data, t).Layers.Single().Features.Count : 0;

    [Fact]
    public async Task After_losing_its_database_connection_the_listener_reconnects_and_invalidation_goes_on()
    {
        var (id, _, _) = await server.Editor().CreateAsync("hotspots", Hotspot(Point(37.5, -17.5), "Listener check"));
        var t = TileAt(37.5, -17.5, 12);
        await server.GetTileAsync("hotspots", t);

        var killed = await server.Database.ScalarAsync<long>(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
            NapGeo.Tiles.TileInvalidationListener.ApplicationName);
        Assert.Equal(1, killed);
        long listening = 0;
        for (var attempt = 0; attempt < 100 && listening == 0; attempt++)
        {
            await Task.Delay(100);
            listening = await server.Database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
                NapGeo.Tiles.TileInvalidationListener.ApplicationName);
        }
        Assert.Equal(1, listening);

        await server.GetTileAsync("hotspots", t);
        Assert.Equal("HIT", Cache(await server.GetTileAsync("hotspots", t)));
        await using (var db = server.Database.CreateDataSource())
        await using (var cmd = db.CreateCommand("UPDATE hotspots SET name = 'Renamed by psql' WHERE id = $1"))
        {
            cmd.Parameters.Add(new() { Value = id });
            await cmd.ExecuteNonQueryAsync();
        }
        string? name = null;
        for (var attempt = 0; attempt < 50 && name != "Renamed by psql"; attempt++)
        {
            if (attempt > 0) await Task.Delay(100);
            name = (string)Decode(await server.TileBytesAsync("hotspots", t), t).Layers.Single().Features.Single().Attributes["name"];
        }
        Assert.Equal("Renamed by psql", name);
    }

    [Fact]
    public async Task Deleting_a_feature_removes_it_from_its_tiles()
    {
        var editor = server.Editor();
        var (id, _, _) = await editor.CreateAsync("hotspots", Hotspot(Square(34.5, -15.5, 0.01), "Tailings pond"));
        var t = TileAt(34.505, -15.495, 10);
        Assert.Single(Decode(await server.TileBytesAsync("hotspots", t), t).Layers.Single().Features);
        Assert.Equal(HttpStatusCode.NoContent, (await editor.SendAsync(HttpMethod.Delete, $"/api/hotspots/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.GetTileAsync("hotspots", t)).StatusCode);
    }
}
