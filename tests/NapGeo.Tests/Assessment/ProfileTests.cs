using System.Net;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Assessment.Fixture;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Assessment;

/// <summary>
/// Profile statistics on a small fixture: one GHA site (120 miners, 40 women, 12.5 kg Hg/yr, whole-ore amalgamation)
/// with soil 3.3, 13.2, 66 mg/kg and one below-detection soil (DL 0.5), water 12 µg/L, and one manual hotspot inside.
/// Soil: 4 samples, 3 detected, min 3.3, median 13.2, max 66, 2 of 4 above 6.6 → share 0.5; water: 1 of 1 above.
/// </summary>
public sealed class ProfileTests(NapGeoServer server) : IClassFixture<NapGeoServer>
{
    private async Task<Guid> SeedAsync()
    {
        var client = server.Editor();
        var (siteId, _, _) = await client.CreateAsync("sites", Site("PRF-1", lon: 1.0, lat: 8.0));
        (double, double) at = (1.005, 8.005);
        await client.CreateAsync("samples", Sample("P1", "PRF", at, "soil", 3.3, "mg/kg", "2024-01-10"));
        await client.CreateAsync("samples", Sample("P2", "PRF", at, "soil", 13.2, "mg/kg", "2024-02-10"));
        await client.CreateAsync("samples", Sample("P3", "PRF", at, "soil", 66, "mg/kg", "2024-03-10"));
        await client.CreateAsync("samples", Sample("P4", "PRF", at, "soil", null, "mg/kg", "2024-04-10", belowDetection: true, detectionLimit: 0.5));
        await client.CreateAsync("samples", Sample("P5", "PRF", at, "water", 12, "µg/L", "2024-05-10"));
        var hotspot = Hotspot(Square(1.002, 8.002, 0.002), "Burning shed PRF");
        await client.CreateAsync("hotspots", hotspot);
        return siteId;
    }

    [Fact]
    public async Task Site_and_country_profiles_have_the_worked_out_statistics()
    {
        var siteId = await SeedAsync();
        var client = server.Client();
        var site = await (await client.GetAsync($"/api/sites/{siteId}/profile")).OkJsonAsync();
        Assert.Equal("PRF-1", site["site"]!["site_code"]!.GetValue<string>());
        Assert.Equal(120, site["site"]!["miners_total"]!.GetValue<int>());
        Assert.Equal(5, site["samples"]!.GetValue<int>());
        var soil = site["matrices"]!.AsArray().Single(m => m!["matrix"]!.GetValue<string>() == "soil")!;
        Assert.Equal(4, soil["count"]!.GetValue<int>());
        Assert.Equal(3, soil["detected"]!.GetValue<int>());
        Assert.Equal(1, soil["below_detection"]!.GetValue<int>());
        Assert.Equal(3.3, soil["min"]!.GetValue<double>(), 9);
        Assert.Equal(13.2, soil["median"]!.GetValue<double>(), 9);
        Assert.Equal(66, soil["max"]!.GetValue<double>(), 9);
        Assert.Equal(2, soil["above_guideline"]!.GetValue<int>());
        Assert.Equal(0.5, soil["share_above"]!.GetValue<double>(), 9);
        Assert.Equal(1, soil["by_class"]!["high"]!.GetValue<int>());
        Assert.StartsWith("2024-04-10", soil["latest"]!.GetValue<string>());
        Assert.Equal(6.6, soil["guideline_value"]!.GetValue<double>(), 9); // CCME soil, the default set's soil guideline
        Assert.Equal("mg/kg", soil["guideline_unit"]!.GetValue<string>());
        var water = site["matrices"]!.AsArray().Single(m => m!["matrix"]!.GetValue<string>() == "water")!;
        Assert.Equal(1.0, water["share_above"]!.GetValue<double>(), 9);
        Assert.Equal(["Burning shed PRF"], site["hotspots"]!.AsArray().Select(h => h!["name"]!.GetValue<string>()));

        var country = await (await client.GetAsync("/api/countries/gha/profile")).OkJsonAsync();
        var baseline = country["baseline"]!;
        Assert.Equal(1, baseline["sites"]!.GetValue<int>());
        Assert.Equal(120, baseline["miners_total"]!.GetValue<int>());
        Assert.Equal(40, baseline["miners_women"]!.GetValue<int>());
        Assert.Equal(12.5, baseline["mercury_use_kg_yr"]!.GetValue<double>(), 9);
        Assert.Equal(1, baseline["worst_practices"]!["whole_ore_amalgamation"]!.GetValue<int>());
        Assert.Equal(1, baseline["worst_practices"]!["any"]!.GetValue<int>());
        Assert.Equal(0, baseline["worst_practices"]!["open_burning_amalgam"]!.GetValue<int>());
        var findings = country["findings"]!;
        Assert.Equal(5, findings["samples"]!.GetValue<int>());
        Assert.Equal(2, findings["samples_by_class"]!["below"]!.GetValue<int>());  // 3.3 and below detection
        Assert.Equal(2, findings["samples_by_class"]!["above"]!.GetValue<int>());  // 13.2 soil, 12 water
        Assert.Equal(1, findings["samples_by_class"]!["high"]!.GetValue<int>());   // 66 soil (10×)
        Assert.Equal(4, findings["samples_by_matrix"]!["soil"]!["count"]!.GetValue<int>());
        Assert.Equal(1, findings["hotspots"]!.GetValue<int>());
        Assert.Equal(1, findings["hotspots_by_severity"]!["high"]!.GetValue<int>());
        Assert.Equal(["default"], findings["guideline_sets"]!.AsArray().Select(s => s!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/countries/NOR/profile")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/countries/G1A/profile")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/sites/{Guid.NewGuid()}/profile")).StatusCode);
    }
}
