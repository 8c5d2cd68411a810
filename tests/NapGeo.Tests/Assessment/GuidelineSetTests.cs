using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Assessment.Fixture;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Assessment;

/// <summary>National guideline sets through the API; its own database because a change re-assesses every sample.</summary>
public sealed class GuidelineSetTests(NapGeoServer server) : IClassFixture<NapGeoServer>
{
    private static JsonObject GhanaSet(double waterValue, string unit = "mg/L") => new()
    {
        ["name"] = "Ghana national standards (test)",
        ["guidelines"] = new JsonArray(new JsonObject
        {
            ["id"] = "gha-water", ["matrix"] = "water", ["value"] = waterValue, ["unit"] = unit,
            ["name"] = "Drinking water", ["source"] = "Test standard, 2024",
        }),
    };

    [Fact]
    public async Task A_national_set_applies_to_its_countrys_samples_and_is_recorded()
    {
        var editor = server.Editor();
        var admin = server.Client(server.AdminKey);
        var (siteId, siteEtag, _) = await editor.CreateAsync("sites", Site(lon: -1.9, lat: 5.3)); // GHA
        var inside = (await editor.CreateAsync("samples", Sample("IN", "GS", (-1.895, 5.305), "water", 3, "µg/L"))).Id;
        var insideSoil = (await editor.CreateAsync("samples", Sample("IN-SOIL", "GS", (-1.895, 5.305), "soil", 13.2, "mg/kg"))).Id;
        var outside = (await editor.CreateAsync("samples", Sample("OUT", "GS", (30.0, -20.0), "water", 3, "µg/L"))).Id;
        Assert.Equal("below", (await editor.PropertiesAsync("samples", inside))["exceedance_class"]!.GetValue<string>());

        var put = await admin.SendAsync(HttpMethod.Put, "/api/guidelines/gha", GhanaSet(0.001));
        var changed = await put.OkJsonAsync();
        Assert.Equal(1, changed["reassessed_samples"]!.GetValue<int>());
        Assert.Equal(1, changed["set"]!["guidelines"]![0]!["value"]!.GetValue<double>(), 9); // 0.001 mg/L stored as 1 µg/L
        Assert.True(changed["set"]!["guidelines"]![0]!["is_default"]!.GetValue<bool>()); // the only water row

        var p = await editor.PropertiesAsync("samples", inside);
        Assert.Equal("GHA", p["guideline_set"]!.GetValue<string>());
        Assert.Equal("gha-water", p["guideline_id"]!.GetValue<string>());
        Assert.Equal(3, p["exceedance_ratio"]!.GetValue<double>(), 9);
        Assert.Equal("above", p["exceedance_class"]!.GetValue<string>());
        // Matrices the national set leaves out, and samples outside the country, keep the default set.
        Assert.Equal("default", (await editor.PropertiesAsync("samples", insideSoil))["guideline_set"]!.GetValue<string>());
        Assert.Equal("default", (await editor.PropertiesAsync("samples", outside))["guideline_set"]!.GetValue<string>());
        // The list filter takes a set's code as /api/guidelines/{code} does, in either case; it matched nothing but 'GHA'.
        async Task<int> Matched(string query) => (await (await editor.GetAsync($"/api/samples?campaign=GS&{query}")).OkJsonAsync())["numberMatched"]!.GetValue<int>();
        Assert.Equal(1, await Matched("guideline_set=gha"));
        Assert.Equal(2, await Matched("guideline_set=Default"));
        var notASet = await (await editor.GetAsync("/api/samples?guideline_set=GH")).JsonAsync();
        Assert.Equal(400, notASet["status"]!.GetValue<int>());
        Assert.Contains("or 'default'", notASet["errors"]!["guideline_set"]![0]!.GetValue<string>());

        // A site moving to another country moves its samples to that country's (here: no) set.
        var move = new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["country"] = "CIV" } };
        (await editor.SendAsync(HttpMethod.Patch, $"/api/sites/{siteId}", move, siteEtag)).EnsureSuccessStatusCode();
        Assert.Equal("default", (await editor.PropertiesAsync("samples", inside))["guideline_set"]!.GetValue<string>());
        var back = new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["country"] = "GHA" } };
        var current = (await editor.GetAsync($"/api/sites/{siteId}")).Headers.ETag!.Tag;
        (await editor.SendAsync(HttpMethod.Patch, $"/api/sites/{siteId}", back, current)).EnsureSuccessStatusCode();
        Assert.Equal("GHA", (await editor.PropertiesAsync("samples", inside))["guideline_set"]!.GetValue<string>());

        var overview = await (await editor.GetAsync("/api/guidelines")).OkJsonAsync();
        Assert.Equal(["default", "GHA"], overview["sets"]!.AsArray().Select(s => s!["code"]!.GetValue<string>()));
        Assert.Equal(5, overview["high_multiplier"]!.GetValue<double>());

        var deleted = await (await admin.DeleteAsync("/api/guidelines/GHA")).OkJsonAsync();
        Assert.Equal(1, deleted["reassessed_samples"]!.GetValue<int>());
        p = await editor.PropertiesAsync("samples", inside);
        Assert.Equal("default", p["guideline_set"]!.GetValue<string>());
        Assert.Equal("below", p["exceedance_class"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/guidelines/GHA")).StatusCode);
    }

    /// <summary>A guideline of 1e-300 µg/L was stored, and then a sample of 1e9 µg/L overflowed its ratio and was refused.</summary>
    [Theory]
    [InlineData(1e-300, "µg/L")]
    [InlineData(1e300, "mg/L")]
    public async Task A_guideline_value_beyond_any_measurement_is_refused(double value, string unit)
    {
        var put = await server.Client(server.AdminKey).SendAsync(HttpMethod.Put, "/api/guidelines/TGO", GhanaSet(value, unit));
        var problem = await put.JsonAsync();
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.Contains("a guideline must lie between", problem["errors"]!["guidelines[0].value"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client().GetAsync("/api/guidelines/TGO")).StatusCode);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("viewer", HttpStatusCode.Forbidden)]
    [InlineData("editor", HttpStatusCode.Forbidden)]
    public async Task Only_admins_change_guidelines(string? role, HttpStatusCode expected)
    {
        var client = server.Client(role switch { "viewer" => server.ViewerKey, "editor" => server.EditorKey, _ => null });
        Assert.Equal(expected, (await client.SendAsync(HttpMethod.Put, "/api/guidelines/CIV", GhanaSet(0.002))).StatusCode);
        Assert.Equal(expected, (await client.DeleteAsync("/api/guidelines/CIV")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/guidelines/default")).StatusCode);
    }

    [Fact]
    public async Task Invalid_sets_are_refused_with_field_errors()
    {
        var admin = server.Client(server.AdminKey);
        var conflict = await admin.SendAsync(HttpMethod.Put, "/api/guidelines/default", GhanaSet(0.001));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        var response = await admin.SendAsync(HttpMethod.Put, "/api/guidelines/GH1", GhanaSet(-1, "mg/kg"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.Contains("code", errors.Select(e => e.Key));
        Assert.Contains("guidelines[0].value", errors.Select(e => e.Key));
        Assert.Contains("guidelines[0].unit", errors.Select(e => e.Key));

        var withNull = GhanaSet(0.001);
        withNull["guidelines"]!.AsArray().Add(null);
        var nullRow = await admin.SendAsync(HttpMethod.Put, "/api/guidelines/CIV", withNull);
        Assert.Equal(HttpStatusCode.BadRequest, nullRow.StatusCode);
        Assert.Contains("guidelines[1]", (await nullRow.JsonAsync())["errors"]!.AsObject().Select(e => e.Key));

        var twoDefaults = GhanaSet(0.001);
        twoDefaults["guidelines"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "gha-water-2", ["matrix"] = "water", ["value"] = 2, ["unit"] = "µg/L", ["name"] = "Second", ["source"] = "Test",
        });
        var ambiguous = await admin.SendAsync(HttpMethod.Put, "/api/guidelines/CIV", twoDefaults);
        Assert.Equal(HttpStatusCode.BadRequest, ambiguous.StatusCode);
        Assert.Contains("0 defaults", (await ambiguous.JsonAsync())["errors"]!["guidelines"]![0]!.GetValue<string>());
    }
}

/// <summary>Class multipliers come from configuration (NapGeo:Assessment:HighMultiplier / CriticalMultiplier).</summary>
public sealed class MultiplierServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("NapGeo:Assessment:HighMultiplier", "2"), new("NapGeo:Assessment:CriticalMultiplier", "3")];
}

public sealed class MultiplierTests(MultiplierServer server) : IClassFixture<MultiplierServer>
{
    [Theory]
    [InlineData(11.9, "above")]
    [InlineData(12, "high")]      // 2× 6 µg/L
    [InlineData(17.9, "high")]
    [InlineData(18, "critical")]  // 3× 6 µg/L
    public async Task Configured_multipliers_set_the_boundaries(double value, string expected)
    {
        var (_, _, json) = await server.Editor().CreateAsync("samples", Sample(Unique("M"), "MULT", (25.0, -25.0), "water", value, "µg/L"));
        Assert.Equal(expected, json["properties"]!["exceedance_class"]!.GetValue<string>());
        var overview = await (await server.Client().GetAsync("/api/guidelines")).OkJsonAsync();
        Assert.Equal(3, overview["critical_multiplier"]!.GetValue<double>());
    }
}
