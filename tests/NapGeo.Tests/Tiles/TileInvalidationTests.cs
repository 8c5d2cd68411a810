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
