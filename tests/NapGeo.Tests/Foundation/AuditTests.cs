using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

[Collection(ApiCollection.Name)]
public sealed class AuditTests(NapGeoServer server)
{
    private async Task<List<(string Action, string Actor, JsonNode? Before, JsonNode? After)>> AuditAsync(string table, Guid id)
    {
        await using var db = server.Database.CreateDataSource();
        await using var cmd = db.CreateCommand("SELECT action, actor, before::text, after::text FROM audit_log WHERE table_name = $1 AND row_id = $2 ORDER BY id");
        cmd.Parameters.Add(new() { Value = table });
        cmd.Parameters.Add(new() { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, string, JsonNode?, JsonNode?)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetString(1),
                reader.IsDBNull(2) ? null : JsonNode.Parse(reader.GetString(2)), reader.IsDBNull(3) ? null : JsonNode.Parse(reader.GetString(3))));
        return rows;
    }

    [Fact]
    public async Task Every_write_is_audited_with_the_key_name_and_before_after_images()
    {
        var client = server.Editor();
        var (id, etag, _) = await client.CreateAsync("sites", Site());
        await client.SendAsync(HttpMethod.Patch, $"/api/sites/{id}",
            new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["miners_total"] = 200 } }, etag);
        await client.DeleteAsync($"/api/sites/{id}");

        var rows = await AuditAsync("sites", id);
        Assert.Equal(["insert", "update", "delete"], rows.Select(r => r.Action));
        Assert.All(rows, r => Assert.Equal("key:Test editor", r.Actor));
        Assert.Null(rows[0].Before);
        Assert.Equal(120, rows[0].After!["miners_total"]!.GetValue<int>());
        Assert.Equal(120, rows[1].Before!["miners_total"]!.GetValue<int>());
        Assert.Equal(200, rows[1].After!["miners_total"]!.GetValue<int>());
        Assert.Equal("MultiPolygon", rows[1].After!["geom"]!["type"]!.GetValue<string>()); // geometry kept as GeoJSON
        Assert.Equal(200, rows[2].Before!["miners_total"]!.GetValue<int>());
        Assert.Null(rows[2].After);
    }

    [Fact]
    public async Task Audit_images_hold_what_was_written_not_the_generated_point_column()
    {
        var client = server.Editor();
        var (id, etag, _) = await client.CreateAsync("samples", Sample(-1.5, 6.5));
        await client.SendAsync(HttpMethod.Patch, $"/api/samples/{id}",
            new JsonObject { ["type"] = "Feature", ["geometry"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(-1.25, 6.75) } }, etag);
        await client.DeleteAsync($"/api/samples/{id}");

        var images = (await AuditAsync("samples", id)).SelectMany(r => new[] { r.Before, r.After }).OfType<JsonObject>().ToList();
        Assert.Equal(4, images.Count); // insert: after; update: before and after; delete: before
        Assert.All(images, image => Assert.False(image.ContainsKey("lonlat"), image.ToJsonString()));
        Assert.All(images, image => Assert.True(image.ContainsKey("matrix")));
        Assert.Equal([-1.5, -1.5, -1.25, -1.25], images.Select(i => i["geom"]!["coordinates"]![0]!.GetValue<double>()));
    }

    [Fact]
    public async Task A_rejected_write_leaves_no_audit_row_and_no_data()
    {
        var before = await server.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log");
        var site = Site();
        site["properties"]!["status"] = "nonsense";
        await server.Editor().SendAsync(HttpMethod.Post, "/api/sites", site);
        Assert.Equal(before, await server.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
    }

    [Fact]
    public async Task Writes_outside_the_API_are_audited_too_under_the_database_role()
    {
        var (id, _, _) = await server.Editor().CreateAsync("samples", Sample(-1.0, 6.0));
        await using var db = server.Database.CreateDataSource();
        await using (var cmd = db.CreateCommand("UPDATE samples SET notes = 'edited in psql' WHERE id = $1"))
        {
            cmd.Parameters.Add(new() { Value = id });
            await cmd.ExecuteNonQueryAsync();
        }
        var update = (await AuditAsync("samples", id)).Single(r => r.Action == "update");
        Assert.Equal("db:napgeo", update.Actor);
        Assert.Equal("edited in psql", update.After!["notes"]!.GetValue<string>());
        Assert.Equal(2, update.After!["version"]!.GetValue<int>()); // the version trigger runs for every path
    }
}
