using System.Text.Json.Nodes;
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

    [Fact]
    public async Task Sites_inserted_in_one_statement_link_each_nearby_sample_to_its_one_site_and_leave_the_rest_untouched()
    {
        // At 60° N (22° E, clear of the other tests) a longitude degree is ~55.8 km: A, B and C are 0.01° squares,
        // B 0.04° (~2.2 km) east of A, C 0.14° (~7.8 km) east of B.
        const double lat = 60.005;
        var client = server.Editor();
        async Task<Guid> SampleAt(double lon) => (await client.CreateAsync("samples", Sample(lon, lat))).Id;
        var insideB = await SampleAt(22.055);     // in B, A is ~2.5 km away: the containing site wins
        var nearA = await SampleAt(22.02);        // ~0.56 km from A, ~1.7 km from B
        var betweenBAndC = await SampleAt(22.12); // ~3.3 km from B, ~4.5 km from C: the nearest
        var nearC = await SampleAt(22.29);        // ~4.46 km east of C
        var beyondC = await SampleAt(22.31);      // ~5.57 km east of C: no site, and not written again

        var codes = new[] { Unique("A"), Unique("B"), Unique("C") };
        Assert.Equal(3L, await server.Database.ScalarAsync<long>("""
            WITH i AS (
                INSERT INTO sites (site_code, name, country, geom)
                SELECT code, 'One-statement site', 'FIN', ST_Multi(ST_MakeEnvelope(lon, 60.0, lon + 0.01, 60.01, 4326))
                FROM unnest($1::text[], ARRAY[22.0, 22.05, 22.2]) AS v(code, lon)
                RETURNING id)
            SELECT count(*) FROM i
            """, (object)codes));

        async Task<(string? Site, int Version)> LinkOf(Guid sample)
        {
            var row = await server.Database.ScalarAsync<string>(
                "SELECT coalesce(t.site_code, '-') || ' ' || s.version FROM samples s LEFT JOIN sites t ON t.id = s.site_id WHERE s.id = $1", sample);
            var parts = row.Split(' ');
            return (parts[0] == "-" ? null : parts[0], int.Parse(parts[1]));
        }
        Assert.Equal((codes[1], 2), await LinkOf(insideB));
        Assert.Equal((codes[0], 2), await LinkOf(nearA));
        Assert.Equal((codes[1], 2), await LinkOf(betweenBAndC));
        Assert.Equal((codes[2], 2), await LinkOf(nearC));
        Assert.Equal(((string?)null, 1), await LinkOf(beyondC));
    }

    [Fact]
    public async Task A_sample_links_to_a_site_across_the_antimeridian_from_either_side()
    {
        // Fiji: at 16° S a longitude degree is ~107 km. The east site is 179.97–179.98°, the west one -179.98–-179.97°.
        var client = server.Editor();
        async Task<string?> SiteOf(Guid sample) =>
            await server.Database.ScalarAsync<string>("SELECT coalesce(site_id::text, '') FROM samples WHERE id = $1", sample) is { Length: > 0 } s ? s : null;

        // A sample taken before its site was mapped is linked when the site arrives (napgeo_relink_samples_near).
        var early = (await client.CreateAsync("samples", Sample(-179.985, -15.995))).Id;   // ~3.7 km east of 179.98°
        Assert.Null(await SiteOf(early));
        JsonObject Fijian(JsonObject site) { site["properties"]!["country"] = "FJI"; return site; }
        var (east, _, _) = await client.CreateAsync("sites", Fijian(Site(lon: 179.97, lat: -16.0)));
        Assert.Equal(east.ToString(), await SiteOf(early));

        // A sample taken after is linked on insert (napgeo_site_for_point), whichever side of 180° it lies on.
        var (west, _, _) = await client.CreateAsync("sites", Fijian(Site(lon: -179.98, lat: -16.1)));
        var (_, _, fromEast) = await client.CreateAsync("samples", Sample(179.985, -16.095));   // ~3.7 km west of -179.98°
        Assert.Equal(west.ToString(), fromEast["properties"]!["site_id"]!.GetValue<string>());
        var (_, _, tooFar) = await client.CreateAsync("samples", Sample(179.92, -16.095));      // ~10.7 km: none
        Assert.Null(tooFar["properties"]!["site_id"]);
    }

    [Fact]
    public async Task Samples_stored_before_the_antimeridian_fix_are_linked_by_its_migration()
    {
        var client = server.Editor();
        var site = Site(lon: 179.97, lat: -17.0);
        site["properties"]!["country"] = "FJI";
        var (siteId, _, _) = await client.CreateAsync("sites", site);
        var (sample, _, _) = await client.CreateAsync("samples", Sample(-179.985, -16.995));
        // As the search before migration 0125 left it: no site across 180°.
        await using var db = server.Database.CreateDataSource();
        await using (var unlink = db.CreateCommand("UPDATE samples SET site_id = NULL WHERE id = $1"))
        {
            unlink.Parameters.Add(new() { Value = sample });
            await unlink.ExecuteNonQueryAsync();
        }
        await using (var migrate = db.CreateCommand(NapGeo.Database.SqlResource.Load("Database.Migrations.0125_sites_across_the_antimeridian.sql")))
            await migrate.ExecuteNonQueryAsync();
        Assert.Equal(siteId.ToString(), await server.Database.ScalarAsync<string>("SELECT coalesce(site_id::text, '') FROM samples WHERE id = $1", sample));
    }
}
