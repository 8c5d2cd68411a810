using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NapGeo.Assessment;
using NapGeo.Tests.Infrastructure;
using Npgsql;
using static NapGeo.Tests.Assessment.Fixture;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Assessment;

/// <summary>
/// A guideline change and the hotspot derivation it calls for commit together or not at all, and a large derivation
/// is not cut off by the statement timeout. A trigger on hotspots stands in for a failing or slow derivation; each
/// test removes it again. Its own database: the tests change the default set's multipliers and install triggers.
/// </summary>
public sealed class DerivationAtomicityTests(NapGeoServer server) : IClassFixture<NapGeoServer>
{
    private async Task WithHotspotTriggerAsync(string body, Func<Task> test)
    {
        await Execute($"CREATE FUNCTION test_hotspot_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$");
        await Execute("CREATE TRIGGER test_hotspot_trigger BEFORE INSERT ON hotspots FOR EACH STATEMENT EXECUTE FUNCTION test_hotspot_trigger()");
        try { await test(); }
        finally { await Execute("DROP FUNCTION test_hotspot_trigger() CASCADE"); }
    }

    private async Task Execute(string sql)
    {
        await using var db = server.Database.CreateDataSource();
        await using var cmd = db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_guideline_set_whose_derivation_fails_is_not_saved_and_can_be_put_again()
    {
        var (lon, lat) = (-1.2, 12.2);
        var editor = server.Editor();
        var site = Site(lon: lon, lat: lat);
        site["properties"]!["country"] = "BFA";
        await editor.CreateAsync("sites", site);
        var ids = new List<Guid>();
        foreach (var (id, east) in new[] { ("F1", 0.0), ("F2", 150.0), ("F3", 300.0) })
            ids.Add((await editor.CreateAsync("samples", Sample(id, "ATOM", Offset(lon + 0.002, lat + 0.005, east, 0), "water", 3, "µg/L"))).Id);
        var strict = new JsonObject
        {
            ["name"] = "Burkina Faso standards (test)",
            ["guidelines"] = new JsonArray(new JsonObject
            {
                ["id"] = "bfa-water", ["matrix"] = "water", ["value"] = 0.001, ["unit"] = "mg/L", ["name"] = "Drinking water", ["source"] = "Test standard, 2024",
            }),
        };
        var admin = server.Client(server.AdminKey);

        await WithHotspotTriggerAsync("RAISE EXCEPTION 'hotspots refused by the test'", async () =>
        {
            var refused = await admin.SendAsync(HttpMethod.Put, "/api/guidelines/BFA", strict);
            Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        });
        // Nothing of the change was saved: no set, the samples still assessed against the default set.
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM guideline_sets WHERE code = 'BFA'"));
        foreach (var id in ids) Assert.Equal("default", (await editor.PropertiesAsync("samples", id))["guideline_set"]!.GetValue<string>());

        var put = await (await admin.SendAsync(HttpMethod.Put, "/api/guidelines/BFA", strict)).OkJsonAsync();
        Assert.Equal(3, put["reassessed_samples"]!.GetValue<int>());
        Assert.Equal(3, await server.Database.ScalarAsync<int>(
            "SELECT sample_count FROM hotspots WHERE origin = 'derived' AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.05)", lon, lat));
    }

    [Fact]
    public async Task A_start_up_whose_derivation_fails_saves_nothing_and_the_next_start_does_it_all()
    {
        // Sediment at 4.5× its guideline (ISQG 0.17 mg/kg): 'high' while the high multiplier is 4, 'above' at the configured
        // 5; the three make a hotspot of severity 'medium' (max ≥ high ×) or 'low'.
        var (lon, lat) = (-3.0, 9.9);
        var samples = new List<Guid>();
        foreach (var (id, east) in new[] { ("S1", 0.0), ("S2", 150.0), ("S3", 300.0) })
            samples.Add((await server.Editor().CreateAsync("samples", Sample(id, "START", Offset(lon, lat, east, 0), "sediment", 0.765, "mg/kg"))).Id);
        var sample = samples[0];
        await Execute("UPDATE assessment_settings SET high_multiplier = 4");
        await Execute("SELECT napgeo_reassess_samples()");
        Assert.Equal("high", await ClassOf(sample));
        const string hotspotHere = "FROM hotspots WHERE origin = 'derived' AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.05)";

        await using var db = server.Database.CreateDataSource();
        var options = Options.Create(new AssessmentOptions());
        var refresh = new HotspotRefresh(new HotspotDerivation(db), options, NullLogger<HotspotRefresh>.Instance);
        var seeder = new GuidelineSeeder(new GuidelineStore(db, refresh, NullLogger<GuidelineStore>.Instance), options);

        await WithHotspotTriggerAsync("RAISE EXCEPTION 'hotspots refused by the test'", async () =>
            await Assert.ThrowsAsync<PostgresException>(() => seeder.StartAsync(CancellationToken.None)));
        Assert.Equal(4.0, await server.Database.ScalarAsync<double>("SELECT high_multiplier FROM assessment_settings"));
        Assert.Equal("high", await ClassOf(sample));

        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) " + hotspotHere, lon, lat));

        await seeder.StartAsync(CancellationToken.None);
        Assert.Equal(5.0, await server.Database.ScalarAsync<double>("SELECT high_multiplier FROM assessment_settings"));
        Assert.Equal("above", await ClassOf(sample));
        Assert.Equal("low", await server.Database.ScalarAsync<string>("SELECT severity " + hotspotHere, lon, lat));
        Assert.Equal("system:guidelines.csv", await server.Database.ScalarAsync<string>(
            $"SELECT actor FROM audit_log WHERE table_name = 'hotspots' AND action = 'insert' AND row_id = (SELECT id {hotspotHere})", lon, lat));
    }

    /// <summary>
    /// A hotspot's severity compares its ratios with the multipliers, so new multipliers at start-up re-derive even when no
    /// sample changes class; the hotspot kept its old severity until someone derived by hand.
    /// </summary>
    [Fact]
    public async Task New_multipliers_at_start_up_re_grade_hotspots_when_no_sample_changes_class()
    {
        // Sediment at 1.5, 4, 6.5 and 6.5× the ISQG (0.17 mg/kg): max 6.5, median 5.25. No ratio lies in 5.21–5.30.
        var (lon, lat) = (-2.6, 10.2);
        foreach (var (id, east, value) in new[] { ("G1", 0.0, 0.255), ("G2", 150.0, 0.68), ("G3", 300.0, 1.105), ("G4", 450.0, 1.105) })
            await server.Editor().CreateAsync("samples", Sample(id, "GRADE", Offset(lon, lat, east, 0), "sediment", value, "mg/kg"));
        const string severityHere = "SELECT severity FROM hotspots WHERE origin = 'derived' AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.05)";

        await using var db = server.Database.CreateDataSource();
        async Task StartWithHighMultiplier(double high)
        {
            var options = Options.Create(new AssessmentOptions { HighMultiplier = high });
            var refresh = new HotspotRefresh(new HotspotDerivation(db), options, NullLogger<HotspotRefresh>.Instance);
            await new GuidelineSeeder(new GuidelineStore(db, refresh, NullLogger<GuidelineStore>.Instance), options).StartAsync(CancellationToken.None);
        }
        try
        {
            await StartWithHighMultiplier(5.21);
            Assert.Equal("high", await server.Database.ScalarAsync<string>(severityHere, lon, lat)); // median ≥ 5.21
            var classes = await server.Database.ScalarAsync<string>("SELECT string_agg(exceedance_class, ',' ORDER BY external_id) FROM samples WHERE campaign = 'GRADE'");

            await StartWithHighMultiplier(5.30);
            Assert.Equal(classes, await server.Database.ScalarAsync<string>("SELECT string_agg(exceedance_class, ',' ORDER BY external_id) FROM samples WHERE campaign = 'GRADE'"));
            Assert.Equal("medium", await server.Database.ScalarAsync<string>(severityHere, lon, lat)); // max ≥ 5.30 > median
        }
        finally { await StartWithHighMultiplier(new AssessmentOptions().HighMultiplier); }
    }

    [Fact]
    public async Task A_derivation_outlasting_the_statement_timeout_completes()
    {
        var (lon, lat) = (-0.4, 10.6);
        foreach (var (id, east) in new[] { ("T1", 0.0), ("T2", 150.0), ("T3", 300.0) })
            await server.Editor().CreateAsync("samples", Sample(id, "SLOW", Offset(lon, lat, east, 0), "sediment", 1.7, "mg/kg")); // 10× ISQG
        var oneSecond = new NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { CommandTimeout = 1 }.ConnectionString;
        await using var db = NapGeo.Database.NapGeoDatabase.Create(oneSecond);

        await WithHotspotTriggerAsync("PERFORM pg_sleep(1.5)", async () =>
        {
            var result = await new HotspotDerivation(db).DeriveAsync(new DeriveParameters(), "test", CancellationToken.None);
            Assert.Contains(result.Hotspots, h => h.SampleCount == 3 && h.MediumGroup == "sediment");
        });
    }

    private Task<string> ClassOf(Guid sample) =>
        server.Database.ScalarAsync<string>("SELECT exceedance_class FROM samples WHERE id = $1", sample);
}
