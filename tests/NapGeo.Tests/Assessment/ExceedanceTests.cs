using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Assessment.Fixture;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Assessment;

/// <summary>Exceedance classes at and around each boundary, against the default set (samples far from any site).</summary>
[Collection(ApiCollection.Name)]
public sealed class ExceedanceTests(NapGeoServer server)
{
    // Far from every test site (sites link within 5 km), so the default (international) set applies.
    private static readonly (double Lon, double Lat) Nowhere = (20.5, -30.5);

    public static TheoryData<string, double, string, string?, double?, string?> Cases => new()
    {
        // matrix, value, unit, expected guideline, expected ratio, expected class. Water: WHO 6 µg/L.
        { "water", 5.99, "µg/L", "who-dw-inorganic-hg", 5.99 / 6, "below" },
        { "water", 6, "µg/L", "who-dw-inorganic-hg", 1, "below" },            // equal is not above
        { "water", 6.01, "µg/L", "who-dw-inorganic-hg", 6.01 / 6, "above" },
        { "water", 29.99, "µg/L", "who-dw-inorganic-hg", 29.99 / 6, "above" },
        { "water", 30, "µg/L", "who-dw-inorganic-hg", 5, "high" },            // 5× exactly
        { "water", 0.03, "mg/L", "who-dw-inorganic-hg", 5, "high" },          // 5× after a unit conversion
        { "water", 119.99, "µg/L", "who-dw-inorganic-hg", 119.99 / 6, "high" },
        { "water", 120, "µg/L", "who-dw-inorganic-hg", 20, "critical" },      // 20× exactly
        { "water", 6000, "ng/L", "who-dw-inorganic-hg", 1, "below" },
        { "sediment", 0.85, "mg/kg", "ccme-sediment-isqg", 5, "high" },       // 0.85/0.17: 5 up to rounding
        { "sediment", 3.4, "ppm", "ccme-sediment-isqg", 20, "critical" },
        { "soil", 6.6, "mg/kg", "ccme-soil-agri-res", 1, "below" },
        { "soil", 33, "mg/kg", "ccme-soil-agri-res", 5, "high" },
        { "air", 0.9, "µg/m³", "who-air-aqg", 0.9, "below" },
        { "air", 1.2, "µg/m³", "who-air-aqg", 1.2, "above" },
        { "fish", 0.6, "mg/kg", "codex-fish-nonpredatory", 1.2, "above" },
        { "hair", 5, "ppm", "epa-rfd-hair", 5, "high" },
        { "blood", 10, "µg/L", "hbm-blood-1", 2, "above" },
        { "urine", 60, "µg/g creatinine", "who-urine-occupational", 1.2, "above" },  // per creatinine: the creatinine-adjusted limit
        { "urine", 60, "µg/L", "hbm-urine-1", 60.0 / 7, "high" },                   // per litre: never compared with 50 µg/g creatinine
        { "other", 60, "counts", null, null, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Class_and_ratio_at_and_around_each_boundary(string matrix, double value, string unit, string? guideline, double? ratio, string? expectedClass)
    {
        var client = server.Editor();
        var (id, _, json) = await client.CreateAsync("samples", Sample(Unique("EX"), "ASSESS-EX", Nowhere, matrix, value, unit));
        var p = json["properties"]!;
        Assert.Equal(expectedClass, p["exceedance_class"]?.GetValue<string>());
        Assert.Equal(guideline, p["guideline_id"]?.GetValue<string>());
        if (ratio is null) Assert.Null(p["exceedance_ratio"]);
        else Assert.Equal(ratio.Value, p["exceedance_ratio"]!.GetValue<double>(), 9);
        if (guideline is not null)
        {
            Assert.Equal("default", p["guideline_set"]!.GetValue<string>());
            Assert.Equal(p["unit_normalized"]!.GetValue<string>(), p["guideline_unit"]!.GetValue<string>());
        }
        // The same values on a plain read (the trigger stored them).
        Assert.Equal(expectedClass, (await client.PropertiesAsync("samples", id))["exceedance_class"]?.GetValue<string>());
    }

    [Theory]
    [InlineData(5, "µg/L", "below")]
    [InlineData(6, "µg/L", "below")]     // a limit equal to the guideline: the result is at most the guideline, not above
    [InlineData(0.006, "mg/L", "below")] // the same limit in mg/L
    [InlineData(500, "µg/L", null)]      // a limit far above WHO's 6 µg/L: the sample cannot tell, and says nothing
    public async Task A_below_detection_sample_is_never_above_has_no_ratio_and_is_below_only_when_its_limit_is(double limit, string unit, string? expectedClass)
    {
        var client = server.Editor();
        var sample = Sample(Unique("BD"), "ASSESS-EX", Nowhere, "water", null, unit, belowDetection: true, detectionLimit: limit);
        var (_, _, json) = await client.CreateAsync("samples", sample);
        Assert.Equal(expectedClass, json["properties"]!["exceedance_class"]?.GetValue<string>());
        Assert.Null(json["properties"]!["exceedance_ratio"]);
        Assert.Equal(6, json["properties"]!["guideline_value"]!.GetValue<double>());
    }

    [Fact]
    public async Task Samples_stored_as_below_before_the_fix_are_reassessed_by_the_migration()
    {
        var sample = Sample(Unique("BD"), "ASSESS-EX", Nowhere, "water", null, "µg/L", belowDetection: true, detectionLimit: 500);
        var (id, _, _) = await server.Editor().CreateAsync("samples", sample);
        await using var db = server.Database.CreateDataSource();
        // As the old function stored it (written around the trigger, which would assess it again).
        await using (var connection = await db.OpenConnectionAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var off = new Npgsql.NpgsqlCommand("ALTER TABLE samples DISABLE TRIGGER samples_score_exceedance", connection, transaction)) await off.ExecuteNonQueryAsync();
            await using (var old = new Npgsql.NpgsqlCommand("UPDATE samples SET exceedance_class = 'below' WHERE id = $1", connection, transaction))
            {
                old.Parameters.Add(new() { Value = id });
                await old.ExecuteNonQueryAsync();
            }
            await using (var on = new Npgsql.NpgsqlCommand("ALTER TABLE samples ENABLE TRIGGER samples_score_exceedance", connection, transaction)) await on.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }
        Assert.Equal("below", (await server.Editor().PropertiesAsync("samples", id))["exceedance_class"]!.GetValue<string>());
        await using (var migrate = db.CreateCommand(NapGeo.Database.SqlResource.Load("Database.Migrations.0080_below_detection_limit_above_guideline.sql")))
            await migrate.ExecuteNonQueryAsync();
        Assert.Null((await server.Editor().PropertiesAsync("samples", id))["exceedance_class"]);
    }

    [Fact]
    public async Task Changing_the_value_reassesses_and_the_class_is_filterable()
    {
        var client = server.Editor();
        var campaign = Unique("ASSESS-F");
        var (id, etag, _) = await client.CreateAsync("samples", Sample("F1", campaign, Nowhere, "water", 1, "µg/L"));
        await client.CreateAsync("samples", Sample("F2", campaign, Nowhere, "water", 2, "µg/L"));
        var patch = new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["value"] = 150 } };
        var patched = await (await client.SendAsync(HttpMethod.Patch, $"/api/samples/{id}", patch, etag)).OkJsonAsync();
        Assert.Equal("critical", patched["properties"]!["exceedance_class"]!.GetValue<string>());
        Assert.Equal(25, patched["properties"]!["exceedance_ratio"]!.GetValue<double>(), 9);

        var list = await (await client.GetAsync($"/api/samples?campaign={campaign}&exceedance_class=critical")).OkJsonAsync();
        Assert.Equal(["F1"], list["features"]!.AsArray().Select(f => f!["properties"]!["external_id"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/samples?exceedance_class=extreme")).StatusCode);
    }

    [Fact]
    public async Task Server_computed_fields_are_ignored_on_input()
    {
        var sample = Sample(Unique("RO"), "ASSESS-EX", Nowhere, "water", 1, "µg/L");
        sample["properties"]!["exceedance_class"] = "critical";
        sample["properties"]!["guideline_value"] = 0.001;
        var (_, _, json) = await server.Editor().CreateAsync("samples", sample);
        Assert.Equal("below", json["properties"]!["exceedance_class"]!.GetValue<string>());
        Assert.Equal(6, json["properties"]!["guideline_value"]!.GetValue<double>());
    }
}
