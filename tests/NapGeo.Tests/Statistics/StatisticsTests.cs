using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Features;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Statistics;

/// <summary>The NAP baseline of /api/stats against the same sums computed directly from the tables.</summary>
[Collection(DemoCollection.Name)]
public sealed class StatisticsTests(DemoDataServer server)
{
    [Fact]
    public async Task Country_and_admin1_figures_equal_the_tables()
    {
        var stats = await server.Client().GetJsonAsync("/api/stats?country=GHA");
        var areas = stats["areas"]!.AsArray();
        var country = areas.Single(a => a!["level"]!.GetValue<string>() == "country")!;
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM sites WHERE country = 'GHA'"), country["sites"]!["total"]!.GetValue<long>());
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM sites WHERE country = 'GHA' AND status = 'abandoned'"),
            country["sites"]!["by_status"]!["abandoned"]!.GetValue<long>());
        Assert.Equal(await server.CountAsync("SELECT coalesce(sum(miners_women), 0) FROM sites WHERE country = 'GHA'"), country["miners"]!["women"]!.GetValue<long>());
        Assert.Equal(await server.CountAsync("SELECT coalesce(sum(miners_children), 0) FROM sites WHERE country = 'GHA'"), country["miners"]!["children"]!.GetValue<long>());
        Assert.Equal(await server.Database.ScalarAsync<double>("SELECT round(sum(mercury_use_kg_yr)::numeric, 3)::float8 FROM sites WHERE country = 'GHA'"),
            country["mercury_use_kg_yr"]!.GetValue<double>(), 3);
        Assert.Equal(await server.Database.ScalarAsync<double>("SELECT round(sum(gold_production_kg_yr)::numeric, 3)::float8 FROM sites WHERE country = 'GHA'"),
            country["gold_production_kg_yr"]!.GetValue<double>(), 3);
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM sites WHERE country = 'GHA' AND residential_burning_amalgam"),
            country["worst_practices"]!["residential_burning_amalgam"]!.GetValue<long>());
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM samples sa JOIN sites si ON si.id = sa.site_id WHERE si.country = 'GHA' AND sa.matrix = 'hair'"),
            country["samples_by_matrix"]!["hair"]!.GetValue<long>());
        Assert.Equal(0, country["samples_by_matrix"]!["other"]!.GetValue<long>()); // every matrix listed, zero included

        var regions = areas.Where(a => a!["level"]!.GetValue<string>() == "admin1").ToList();
        Assert.Equal(await server.CountAsync("SELECT count(DISTINCT lower(regexp_replace(admin1, '[\\s\\u00a0\\u2007\\u202f]+', ' ', 'g'))) FROM sites WHERE country = 'GHA'"), regions.Count(r => r!["admin1"] is not null));
        Assert.Equal(country["sites"]!["total"]!.GetValue<long>(), regions.Sum(r => r!["sites"]!["total"]!.GetValue<long>()));
        Assert.Equal(country["miners"]!["total"]!.GetValue<long>(), regions.Sum(r => r!["miners"]!["total"]!.GetValue<long>()));
        var region = regions.First(r => r!["admin1"] is not null)!;
        var name = region["admin1"]!.GetValue<string>();
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM sites WHERE country = 'GHA' AND admin1 = $1 AND whole_ore_amalgamation", name),
            region["worst_practices"]!["whole_ore_amalgamation"]!.GetValue<long>());
    }

    [Fact]
    public async Task GeoJson_has_a_point_per_area_inside_its_extent()
    {
        var response = await server.Client().GetAsync("/api/stats?f=geojson&level=admin1&country=GHA");
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType!.MediaType);
        var features = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["features"]!.AsArray();
        Assert.Equal(await server.CountAsync("SELECT count(DISTINCT coalesce(lower(regexp_replace(admin1, '[\\s\\u00a0\\u2007\\u202f]+', ' ', 'g')), '')) FROM sites WHERE country = 'GHA'"), features.Count);
        foreach (var f in features)
        {
            Assert.Equal("Point", f!["geometry"]!["type"]!.GetValue<string>());
            var (x, y) = (f["geometry"]!["coordinates"]![0]!.GetValue<double>(), f["geometry"]!["coordinates"]![1]!.GetValue<double>());
            var bbox = f["bbox"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            Assert.InRange(x, bbox[0], bbox[2]);
            Assert.InRange(y, bbox[1], bbox[3]);
            Assert.Equal("admin1", f["properties"]!["level"]!.GetValue<string>());
            Assert.True(f["properties"]!["sites_total"]!.GetValue<long>() > 0);
            Assert.NotNull(f["properties"]!["sites_open_burning_amalgam"]);
            Assert.NotNull(f["properties"]!["samples_soil"]);
            var admin1 = f["properties"]!["admin1"]?.GetValue<string>();
            Assert.Equal(await server.CountAsync("SELECT count(mercury_use_kg_yr) FROM sites WHERE country = 'GHA' AND lower(regexp_replace(admin1, '[\\s\\u00a0\\u2007\\u202f]+', ' ', 'g')) IS NOT DISTINCT FROM lower(regexp_replace($1, '[\\s\\u00a0\\u2007\\u202f]+', ' ', 'g'))", (object?)admin1 ?? DBNull.Value),
                f["properties"]!["sites_reporting_mercury_use"]!.GetValue<long>());
            Assert.NotNull(f["properties"]!["sites_reporting_miners"]);
        }
        var bad = await server.Client().GetAsync("/api/stats?level=district");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    /// <summary>A misspelt parameter was ignored: ?countyr=GHA answered every country's baseline as though it were GHA's.</summary>
    [Fact]
    public async Task A_parameter_the_statistics_do_not_take_is_a_400_naming_it()
    {
        var response = await server.Client().GetAsync("/api/stats?countyr=GHA&Level=country");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["countyr"], errors.Select(e => e.Key)); // Level in another case is still level
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync("/api/stats?Country=gha&f=json")).StatusCode);
    }

    /// <summary>?country=GHA&amp;country=TZA was refused as "'GHA,TZA' is not an ISO 3166-1 alpha-3 code"; f=GEOJSON was refused.</summary>
    [Fact]
    public async Task A_parameter_given_twice_is_named_as_such_and_values_are_read_in_any_case()
    {
        var response = await server.Client().GetAsync("/api/stats?country=GHA&country=TZA&level=country");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["country"], errors.Select(e => e.Key));
        Assert.Contains("more than once", errors["country"]![0]!.GetValue<string>());

        var geojson = await server.Client().GetAsync("/api/stats?level=Country&f=GEOJSON");
        Assert.Equal(HttpStatusCode.OK, geojson.StatusCode);
        Assert.Equal("application/geo+json", geojson.Content.Headers.ContentType!.MediaType);
        Assert.All(JsonNode.Parse(await geojson.Content.ReadAsStringAsync())!["features"]!.AsArray(),
            f => Assert.Equal("country", f!["properties"]!["level"]!.GetValue<string>()));
    }
}
