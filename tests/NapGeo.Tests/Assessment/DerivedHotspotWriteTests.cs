using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Assessment.Fixture;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Assessment;

/// <summary>
/// A derived hotspot is rewritten under its fixed id by every derivation: a REST edit of one was answered 200 and then
/// silently restored. It is refused with a 409 that says what to do instead, and nothing is written.
/// </summary>
public sealed class DerivedHotspotWriteTests(NapGeoServer server) : IClassFixture<NapGeoServer>
{
    private const double Lon = -1.5, Lat = 6.5;

    [Fact]
    public async Task Writes_to_a_derived_hotspot_are_409_and_change_nothing_while_manual_ones_stay_editable()
    {
        var client = server.Editor();
        // Three soil samples at 10× the guideline within 100 m: one derived hotspot.
        foreach (var (external, east) in new[] { ("W1", 0.0), ("W2", 50.0), ("W3", 100.0) })
            await client.CreateAsync("samples", Sample(external, "DERIVED-WRITES", Offset(Lon, Lat, east, 0), "soil", 66, "mg/kg"));
        var derived = await (await client.PostAsync("/api/hotspots/derive", null)).OkJsonAsync();
        var hotspot = Assert.Single(derived["hotspots"]!.AsArray())!;
        var id = Guid.Parse(hotspot["id"]!.GetValue<string>());
        var name = hotspot["name"]!.GetValue<string>();
        var etag = (await client.GetAsync($"/api/hotspots/{id}")).Headers.ETag!.Tag;

        var rename = new JsonObject { ["properties"] = new JsonObject { ["name"] = "Edited by hand" } };
        var answers = new[]
        {
            await client.SendAsync(HttpMethod.Patch, $"/api/hotspots/{id}", rename, etag),
            await client.SendAsync(HttpMethod.Put, $"/api/hotspots/{id}", Hotspot(Square(Lon, Lat), "Replaced by hand"), etag),
            await client.SendAsync(HttpMethod.Patch, $"/api/hotspots/{id}", rename, "*"),
            await client.SendAsync(HttpMethod.Delete, $"/api/hotspots/{id}", ifMatch: etag),
            await client.SendAsync(HttpMethod.Delete, $"/api/hotspots/{id}"),
        };
        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType!.MediaType);
            var detail = (await answer.JsonAsync())["detail"]!.GetValue<string>();
            Assert.Contains("derived", detail);
            Assert.Contains("samples or the guideline set", detail);
            Assert.Contains("manual hotspot", detail);
        }
        Assert.Equal(name, await server.Database.ScalarAsync<string>("SELECT name FROM hotspots WHERE id = $1", id));
        Assert.Equal(1, await server.Database.ScalarAsync<int>("SELECT version FROM hotspots WHERE id = $1", id));
        Assert.Equal(0L, await server.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE row_id = $1 AND action <> 'insert'", id));

        // A manual hotspot is a person's record: it is edited and deleted as before.
        var (manual, manualTag, _) = await client.CreateAsync("hotspots", Hotspot(Square(Lon + 0.3, Lat), "Manual shed"));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, $"/api/hotspots/{manual}", rename, manualTag)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, $"/api/hotspots/{manual}")).StatusCode);
    }
}
