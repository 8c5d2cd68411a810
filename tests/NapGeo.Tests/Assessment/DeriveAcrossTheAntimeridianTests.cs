using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Assessment.Fixture;

namespace NapGeo.Tests.Assessment;

/// <summary>
/// Four soil samples 10× the guideline within ~220 m of each other, two on each side of 180° (Fiji). They were two
/// components apart (359.99° in degrees) and no cluster; one side's outline, back in lon/lat, spanned the globe.
/// </summary>
public sealed class DeriveAcrossTheAntimeridianTests(DeriveAcrossTheAntimeridianTests.Server server)
    : IClassFixture<DeriveAcrossTheAntimeridianTests.Server>
{
    public sealed class Server : NapGeoServer;

    [Fact]
    public async Task Samples_on_both_sides_of_180_degrees_are_one_hotspot_cut_at_the_antimeridian()
    {
        var client = server.Editor();
        const double lat = -16.5;
        var step = 100 / (111320 * Math.Cos(lat * Math.PI / 180)); // 100 m of longitude
        var points = new[] { (180 - 1.5 * step, lat), (180 - 0.5 * step, lat + 0.0005), (-180 + 0.5 * step, lat), (-180 + 1.5 * step, lat + 0.0005) };
        for (var i = 0; i < points.Length; i++)
            await client.CreateAsync("samples", Sample($"AM{i}", "DATELINE", points[i], "soil", 66, "mg/kg"));

        var result = await (await client.PostAsync("/api/hotspots/derive?eps_m=500&min_points=3&margin_m=100", null)).OkJsonAsync();
        var hotspot = Assert.Single(result["hotspots"]!.AsArray())!;
        Assert.Equal(4, hotspot["sample_count"]!.GetValue<int>());

        var id = hotspot["id"]!.GetValue<string>();
        var geometry = (await (await client.GetAsync($"/api/hotspots/{id}")).JsonAsync())["geometry"]!;
        Assert.Equal("MultiPolygon", geometry["type"]!.GetValue<string>());
        // Two parts, one each side, none reaching further from 180° than the samples plus the 100 m margin (~0.003°).
        var parts = geometry["coordinates"]!.AsArray();
        Assert.Equal(2, parts.Count);
        var longitudes = parts.SelectMany(p => p![0]!.AsArray()).Select(c => c![0]!.GetValue<double>()).ToList();
        Assert.All(longitudes, x => Assert.True(Math.Abs(x) > 179.995, $"{x}"));
        Assert.Contains(longitudes, x => x > 0);
        Assert.Contains(longitudes, x => x < 0);
    }
}
