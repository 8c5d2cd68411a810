using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Features;

/// <summary>
/// created_at and updated_at are queryables and sortables, so a dashboard can ask /ogc for what changed since its last
/// visit (they were a 400: "not a queryable", "not sortable").
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OgcSyncTests(NapGeoServer server)
{
    private async Task<(string Campaign, List<(Guid Id, DateTime Created, DateTime Updated)> Rows)> ChangedSamplesAsync()
    {
        var editor = server.Editor();
        var campaign = Unique("SYNC");
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            var sample = Sample(-1.9 + i * 0.01, 5.3);
            sample["properties"]!["campaign"] = campaign;
            ids.Add((await editor.CreateAsync("samples", sample)).Id);
        }
        // The second sample created is changed last: it is the newest by updated_at, not by created_at.
        var patch = await editor.SendAsync(HttpMethod.Patch, $"/api/samples/{ids[1]}", new JsonObject { ["properties"] = new JsonObject { ["notes"] = "relabelled" } }, "*");
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        var rows = new List<(Guid, DateTime, DateTime)>();
        await using var db = server.Database.CreateDataSource();
        await using var cmd = db.CreateCommand("SELECT id, created_at, updated_at FROM samples WHERE campaign = $1 ORDER BY updated_at, id");
        cmd.Parameters.Add(new() { Value = campaign });
        await using var row = await cmd.ExecuteReaderAsync();
        while (await row.ReadAsync()) rows.Add((row.GetGuid(0), row.GetDateTime(1), row.GetDateTime(2)));
        return (campaign, rows);
    }

    private async Task<List<Guid>> IdsAsync(string query)
    {
        var page = await server.Client().GetJsonAsync("/ogc/collections/samples/items?" + query);
        return page["features"]!.AsArray().Select(f => Guid.Parse(f!["id"]!.GetValue<string>())).ToList();
    }

    private static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_dashboard_gets_what_changed_since_an_instant_in_the_order_it_changed()
    {
        var (campaign, rows) = await ChangedSamplesAsync();
        Assert.Equal(4, rows.Count);
        var since = rows[1].Updated; // the two changed last come after it, as psql orders them
        var filter = Uri.EscapeDataString($"campaign = '{campaign}' AND updated_at > TIMESTAMP('{Instant(since)}')");
        Assert.Equal(rows.Where(r => r.Updated > since).Select(r => r.Id), await IdsAsync($"filter={filter}&sortby=updated_at"));
        Assert.Equal(2, rows.Count(r => r.Updated > since));

        // Newest change first, and the order they were created in, as psql sorts them.
        Assert.Equal(rows.OrderByDescending(r => r.Updated).ThenBy(r => r.Id).Select(r => r.Id), await IdsAsync($"campaign={campaign}&sortby=-updated_at"));
        Assert.Equal(rows.OrderBy(r => r.Created).ThenBy(r => r.Id).Select(r => r.Id), await IdsAsync($"campaign={campaign}&sortby=created_at"));
        // As a query parameter, an instant is equality and a date the whole UTC day.
        Assert.Equal([rows[^1].Id], await IdsAsync($"campaign={campaign}&updated_at={Uri.EscapeDataString(Instant(rows[^1].Updated))}"));
        Assert.Equal(rows.Where(r => r.Created.Date == rows[0].Created.Date).Select(r => r.Id).Order(),
            (await IdsAsync($"campaign={campaign}&created_at={rows[0].Created:yyyy-MM-dd}")).Order());
    }

    [Theory]
    [InlineData("queryables")]
    [InlineData("sortables")]
    public async Task The_record_times_are_declared_as_instants(string resource)
    {
        foreach (var collection in (string[])["sites", "hotspots", "samples"])
        {
            var properties = (await server.Client().GetJsonAsync($"/ogc/collections/{collection}/{resource}"))["properties"]!;
            foreach (var name in (string[])["created_at", "updated_at"])
            {
                Assert.Equal("string", properties[name]!["type"]!.GetValue<string>());
                Assert.Equal("date-time", properties[name]!["format"]!.GetValue<string>());
            }
        }
    }
}
