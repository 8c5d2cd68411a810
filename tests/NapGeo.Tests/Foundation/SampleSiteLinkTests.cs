using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

[Collection(ApiCollection.Name)]
public sealed class SampleSiteLinkTests(NapGeoServer server)
{
    // A 0.01° square at 60° N (far from other tests' data): longitude degrees are half as long there,
    // which is where a degree-based search radius would go wrong.
    private const double Lon = 20.0, Lat = 60.0;

    [Fact]
    public async Task Sample_links_to_containing_site_else_nearest_within_5_km_else_none()
    {
        var client = server.Editor();
        var (siteId, _, _) = await client.CreateAsync("sites", Site(lon: Lon, lat: Lat));

        var (inside, _, insideJson) = await client.CreateAsync("samples", Sample(Lon + 0.005, Lat + 0.005));
        Assert.Equal(siteId.ToString(), insideJson["properties"]!["site_id"]!.GetValue<string>());

        // 0.08° of longitude east of the square's edge at 60° N ≈ 4.46 km.
        var (_, _, nearJson) = await client.CreateAsync("samples", Sample(Lon + 0.01 + 0.08, Lat + 0.005));
        Assert.Equal(siteId.ToString(), nearJson["properties"]!["site_id"]!.GetValue<string>());

        // 0.10° of longitude ≈ 5.57 km: too far.
        var (_, _, farJson) = await client.CreateAsync("samples", Sample(Lon + 0.01 + 0.10, Lat + 0.005));
        Assert.Null(farJson["properties"]!["site_id"]);

        var metres = await server.Database.ScalarAsync<double>(
            "SELECT ST_Distance(ST_MakePoint($1, $2)::geography, ST_MakePoint($3, $2)::geography)", Lon + 0.01, Lat + 0.005, Lon + 0.09);
        Assert.InRange(metres, 4400, 4500);
        Assert.NotEqual(Guid.Empty, inside);
    }

    [Fact]
    public async Task Samples_are_linked_again_when_a_site_appears_moves_or_is_deleted()
    {
        var client = server.Editor();
        // Far from every other test's data: 45° E, 45° S is open ocean in the real world, which is fine here.
        var (sample, _, json) = await client.CreateAsync("samples", Sample(45.005, -45.005));
        Assert.Null(json["properties"]!["site_id"]);
        async Task<Guid?> SiteOf() =>
            await server.Database.ScalarAsync<object>("SELECT coalesce(site_id::text, '') FROM samples WHERE id = $1", sample) is string s && s.Length > 0 ? Guid.Parse(s) : null;

        var (near, _, _) = await client.CreateAsync("sites", Site(lon: 45.02, lat: -45.01));   // ~1.2 km away
        Assert.Equal(near, await SiteOf());
        var (around, _, _) = await client.CreateAsync("sites", Site(lon: 45.0, lat: -45.01));  // contains the sample
        Assert.Equal(around, await SiteOf());

        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/sites/{around}")).StatusCode);
        Assert.Equal(near, await SiteOf()); // the next nearest within 5 km, not nothing

        var etag = (await client.GetAsync($"/api/sites/{near}")).Headers.ETag!.Tag;
        var away = new System.Text.Json.Nodes.JsonObject { ["type"] = "Feature", ["geometry"] = Square(46.0, -45.0) };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, $"/api/sites/{near}", away, etag)).StatusCode);
        Assert.Null(await SiteOf()); // moved 70 km away
    }
}
