using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NapGeo.Assessment;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Assessment.Fixture;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Assessment;

/// <summary>
/// Derived hotspots follow bulk changes of exceedances (uploads, their roll-back, guideline sets) unless
/// NapGeo:Assessment:DeriveAfterChanges is false. Each test clusters its own samples at a place of its own.
/// </summary>
public sealed class HotspotRefreshTests(NapGeoServer server) : IClassFixture<NapGeoServer>
{
    /// <summary>Derived hotspots within about 5 km of a place.</summary>
    private Task<long> DerivedNearAsync(double lon, double lat) => server.Database.ScalarAsync<long>(
        "SELECT count(*) FROM hotspots WHERE origin = 'derived' AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.05)", lon, lat);

    [Fact]
    public async Task A_committed_sample_upload_re_derives_hotspots_when_enabled()
    {
        var client = server.Editor();
        foreach (var (id, east) in new[] { ("U1", 0.0), ("U2", 150.0), ("U3", 300.0) })
            await client.CreateAsync("samples", Sample(id, "HOOK", Offset(-1.5, 6.5, east, 0), "sediment", 1.7, "mg/kg")); // 10× ISQG

        await using var db = server.Database.CreateDataSource();
        var derivation = new HotspotDerivation(db);
        var upload = Guid.NewGuid();

        var off = new HotspotRefresh(derivation, Options.Create(new AssessmentOptions { DeriveAfterChanges = false }), NullLogger<HotspotRefresh>.Instance);
        await off.OnCommittedAsync(upload, "samples", CancellationToken.None);
        Assert.Equal(0L, await DerivedNearAsync(-1.5, 6.5));

        var on = new HotspotRefresh(derivation, Options.Create(new AssessmentOptions()), NullLogger<HotspotRefresh>.Instance);
        await on.OnCommittedAsync(upload, "hotspots", CancellationToken.None); // hotspots drawn by hand do not move clusters
        Assert.Equal(0L, await DerivedNearAsync(-1.5, 6.5));
        await on.OnCommittedAsync(upload, "samples", CancellationToken.None);
        Assert.Equal("river_sediment", await server.Database.ScalarAsync<string>(
            "SELECT kind FROM hotspots WHERE origin = 'derived' AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint(-1.5, 6.5), 4326), 0.05)"));
        Assert.Equal(1L, await server.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE table_name = 'hotspots' AND action = 'insert' AND actor = $1 AND row_id = " +
            "(SELECT id FROM hotspots WHERE origin = 'derived' AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint(-1.5, 6.5), 4326), 0.05))", $"upload:{upload}"));
    }

    /// <summary>
    /// A sites upload moves exceedances too: a site's country chooses its samples' guideline set. Moving a site into a
    /// country with a strict national set made its samples exceed, but no hotspot was derived until someone did it by hand.
    /// </summary>
    [Fact]
    public async Task A_committed_sites_upload_that_changes_exceedances_re_derives_hotspots()
    {
        var (lon, lat) = (-0.2, 12.8);
        var admin = server.Client(server.AdminKey);
        var strict = new JsonObject
        {
            ["name"] = "Niger standards (test)",
            ["guidelines"] = new JsonArray(new JsonObject
            {
                ["id"] = "ner-water", ["matrix"] = "water", ["value"] = 1, ["unit"] = "µg/L", ["name"] = "Drinking water", ["source"] = "Test standard, 2024",
            }),
        };
        (await admin.SendAsync(HttpMethod.Put, "/api/guidelines/NER", strict)).EnsureSuccessStatusCode();
        var code = Unique("MOVE");
        var site = Site(code, lon, lat);
        site["properties"]!["country"] = "BEN";
        await server.Editor().CreateAsync("sites", site);
        foreach (var (id, east) in new[] { ("M1", 0.0), ("M2", 150.0), ("M3", 300.0) })
            await server.Editor().CreateAsync("samples", Sample(id, "MOVE", Offset(lon + 0.002, lat + 0.005, east, 0), "water", 3, "µg/L"));
        Assert.Equal(0L, await DerivedNearAsync(lon, lat)); // 3 µg/L is below the default 6 µg/L

        var wkt = $"POLYGON(({lon:R} {lat:R},{lon + 0.01:R} {lat:R},{lon + 0.01:R} {lat + 0.01:R},{lon:R} {lat + 0.01:R},{lon:R} {lat:R}))";
        var response = await PostAsync(server.Editor(), Encoding.UTF8.GetBytes($"site_code;name;country;wkt\n{code};Moved;NER;{wkt}\n"), "moved.csv", ("target", "sites"));
        var upload = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, upload.ToJsonString());
        Assert.Equal("water", await server.Database.ScalarAsync<string>(
            "SELECT medium_group FROM hotspots WHERE origin = 'derived' AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.05)", lon, lat));
    }

    [Fact]
    public async Task Rolling_back_an_upload_removes_the_hotspots_its_samples_made()
    {
        var (lon, lat) = (-2.2, 7.1);
        var csv = new StringBuilder("sample_id,matrix,lat,lon,value,unit\n");
        foreach (var (id, east) in new[] { ("R1", 0.0), ("R2", 150.0), ("R3", 300.0) })
        {
            var at = Offset(lon, lat, east, 0);
            csv.Append($"{id},sediment,{at.Lat:R},{at.Lon:R},1.7,mg/kg\n"); // 10× ISQG
        }
        var response = await PostAsync(server.Editor(), Encoding.UTF8.GetBytes(csv.ToString()), "river.csv", ("target", "samples"), ("campaign", Unique("RB")));
        var upload = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, upload.ToJsonString());
        Assert.Equal(1L, await DerivedNearAsync(lon, lat));

        var rolledBack = await server.Editor().DeleteAsync($"/api/uploads/{upload["id"]}");
        Assert.Equal(HttpStatusCode.OK, rolledBack.StatusCode);
        Assert.DoesNotContain((await rolledBack.JsonAsync())["warnings"]!.AsArray(), w => w!["kind"]?.GetValue<string>() == "hook_failed");
        Assert.Equal(0L, await DerivedNearAsync(lon, lat));
    }

    [Fact]
    public async Task A_national_guideline_set_re_derives_when_it_is_put_and_when_it_is_removed()
    {
        var (lon, lat) = (-1.0, 11.5);
        var editor = server.Editor();
        var site = Site(lon: lon, lat: lat);
        site["properties"]!["country"] = "BFA";
        await editor.CreateAsync("sites", site);
        foreach (var (id, east) in new[] { ("W1", 0.0), ("W2", 150.0), ("W3", 300.0) })
            await editor.CreateAsync("samples", Sample(id, "NAT", Offset(lon + 0.002, lat + 0.005, east, 0), "water", 3, "µg/L"));
        Assert.Equal(0L, await DerivedNearAsync(lon, lat)); // 3 µg/L is below the default water guideline

        var admin = server.Client(server.AdminKey);
        var strict = new JsonObject
        {
            ["name"] = "Burkina Faso standards (test)",
            ["guidelines"] = new JsonArray(new JsonObject
            {
                ["id"] = "bfa-water", ["matrix"] = "water", ["value"] = 0.001, ["unit"] = "mg/L", ["name"] = "Drinking water", ["source"] = "Test standard, 2024",
            }),
        };
        Assert.Equal(3, (await (await admin.SendAsync(HttpMethod.Put, "/api/guidelines/BFA", strict)).OkJsonAsync())["reassessed_samples"]!.GetValue<int>());
        Assert.Equal("water", await server.Database.ScalarAsync<string>(
            "SELECT medium_group FROM hotspots WHERE origin = 'derived' AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.05)", lon, lat));

        (await admin.DeleteAsync("/api/guidelines/BFA")).EnsureSuccessStatusCode();
        Assert.Equal(0L, await DerivedNearAsync(lon, lat));
    }
}
