using System.Text.Json.Nodes;
using NapGeo.Tests.Features;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Statistics;

[Collection(ApiCollection.Name)]
public sealed class StatisticsAreaTests(NapGeoServer server)
{
    /// <summary>
    /// Admin1 names come from hand-typed field forms. "Kayes", "KAYES" and "kayes" were three areas of the baseline,
    /// each with a share of the region's sites, miners and samples; "Koulikoro  Nord" (two spaces) and "Koulikoro Nord" with
    /// a no-break space were more.
    /// </summary>
    [Fact]
    public async Task Admin1_names_that_differ_only_in_case_or_spacing_are_one_area_shown_by_its_most_used_spelling()
    {
        var client = server.Editor();
        var sites = new List<Guid>();
        var spellings = new[] { "Kayes", "KAYES", "Kayes", "kayes", "Koulikoro Nord", "Koulikoro  Nord", "Koulikoro Nord", "Koulikoro\u00a0Nord", "Sikasso", "Sikasso\u200b" };
        for (var i = 0; i < spellings.Length; i++)
        {
            var site = Site(lon: -8 - i * 0.1, lat: 13);
            site["properties"]!["country"] = "MLI";
            site["properties"]!["admin1"] = spellings[i];
            site["properties"]!["status"] = i == 1 ? "abandoned" : "active";
            sites.Add((await client.CreateAsync("sites", site)).Id);
        }
        // A sample inside the "KAYES" site counts towards Kayes.
        await client.CreateAsync("samples", Sample(-8 - 0.1 + 0.005, 13.005, matrix: "water", value: 0.5, unit: "µg/L"));

        var stats = await server.Client().GetJsonAsync("/api/stats?country=MLI&level=admin1");
        var areas = stats["areas"]!.AsArray().ToDictionary(a => a!["admin1"]!.GetValue<string>(), a => a!);
        Assert.Equal(["Kayes", "Koulikoro Nord", "Sikasso"], areas.Keys.Order());
        var kayes = areas["Kayes"];
        Assert.Equal(4, kayes["sites"]!["total"]!.GetValue<long>());
        Assert.Equal(3, kayes["sites"]!["by_status"]!["active"]!.GetValue<long>());
        Assert.Equal(1, kayes["sites"]!["by_status"]!["abandoned"]!.GetValue<long>());
        Assert.Equal(4 * 120, kayes["miners"]!["total"]!.GetValue<long>());
        Assert.Equal(1, kayes["samples_by_matrix"]!["water"]!.GetValue<long>());
        Assert.Equal(4, areas["Koulikoro Nord"]["sites"]!["total"]!.GetValue<long>());
        Assert.Equal(2, areas["Sikasso"]["sites"]!["total"]!.GetValue<long>()); // a zero-width space (pasted from the web) split it

        var geojson = await server.Client().GetJsonAsync("/api/stats?country=MLI&level=admin1&f=geojson");
        Assert.Equal(["MLI/Kayes", "MLI/Koulikoro Nord", "MLI/Sikasso"],
            geojson["features"]!.AsArray().Select(f => f!["id"]!.GetValue<string>()).Order());
    }

    /// <summary>The GeoJSON form left out the samples linked to no site: summed over its features, a dashboard's total was short.</summary>
    [Fact]
    public async Task GeoJson_totals_include_the_samples_linked_to_no_site()
    {
        await server.Editor().CreateAsync("samples", Sample(30, 50, matrix: "fish", value: 0.2));
        var geojson = await server.Client().GetJsonAsync("/api/stats?f=geojson&level=country");
        var counted = geojson["features"]!.AsArray().Sum(f => f!["properties"]!["samples_fish"]!.GetValue<long>()) +
                      geojson["samples_without_site_by_matrix"]!["fish"]!.GetValue<long>();
        Assert.Equal(await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE matrix = 'fish'"), counted);
        Assert.True(geojson["samples_without_site_by_matrix"]!["fish"]!.GetValue<long>() >= 1);
    }

    /// <summary>Chukotka's sites lie on both sides of 180°: its point fell in Europe and its bbox spanned the globe.</summary>
    [Fact]
    public async Task An_area_across_the_antimeridian_has_its_point_there_and_a_bbox_whose_west_edge_is_east_of_its_east_edge()
    {
        var client = server.Editor();
        // 0.01° squares (equal areas, so the point is the mean of their centres): 179.505, 179.605 and -179.505 (180.495).
        foreach (var lon in new[] { 179.5, 179.6, -179.51 })
        {
            var site = Site(lon: lon, lat: 66);
            site["properties"]!["country"] = "RUS";
            site["properties"]!["admin1"] = "Chukotka";
            await client.CreateAsync("sites", site);
        }
        var geojson = await server.Client().GetJsonAsync("/api/stats?country=RUS&f=geojson");
        foreach (var feature in geojson["features"]!.AsArray())
        {
            var point = feature!["geometry"]!["coordinates"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            Assert.Equal(179.868333, point[0], 5);
            Assert.Equal(66.005, point[1], 5);
            Assert.Equal([179.5, 66, -179.5, 66.01], feature["bbox"]!.AsArray().Select(v => Math.Round(v!.GetValue<double>(), 6)));
        }
        Assert.Equal(2, geojson["features"]!.AsArray().Count); // the country and its one admin1
        var json = await server.Client().GetJsonAsync("/api/stats?country=RUS&level=country");
        Assert.Equal([179.5, 66, -179.5, 66.01], json["areas"]![0]!["bbox"]!.AsArray().Select(v => Math.Round(v!.GetValue<double>(), 6)));
    }

    /// <summary>
    /// "Geita" beside "Geita" with a zero-width space was one area, but the two counted as different spellings in the
    /// label's vote, so the area was labelled "GEITA"; a soft hyphen split "Lake Zone"; an admin1 of a zero-width space
    /// alone was an area that looked blank beside the real "no admin1".
    /// </summary>
    [Fact]
    public async Task Invisible_characters_neither_split_an_area_nor_sway_its_label_nor_make_a_name()
    {
        var client = server.Editor();
        var spellings = new[] { "Geita", "Geita\u200b", "GEITA", "GEITA", "Lake\u00adZone", "LakeZone", "\u200b", "Mara " };
        for (var i = 0; i < spellings.Length; i++)
        {
            var site = Site(lon: 32 + i * 0.1, lat: -3);
            site["properties"]!["country"] = "TZA";
            site["properties"]!["admin1"] = spellings[i];
            await client.CreateAsync("sites", site);
        }
        var extra = Site(lon: 33, lat: -2.5);
        extra["properties"]!["country"] = "TZA";
        extra["properties"]!.AsObject().Remove("admin1");
        await client.CreateAsync("sites", extra);

        var stats = await server.Client().GetJsonAsync("/api/stats?country=TZA&level=admin1");
        var areas = stats["areas"]!.AsArray().ToDictionary(a => a!["admin1"]?.GetValue<string>() ?? "(none)", a => a!["sites"]!["total"]!.GetValue<long>());
        Assert.Equal(new Dictionary<string, long> { ["Geita"] = 4, ["LakeZone"] = 2, ["Mara"] = 1, ["(none)"] = 2 }, areas);
    }

    /// <summary>A country wholly west of 0° went through the antimeridian arithmetic and came back with noise digits.</summary>
    [Fact]
    public async Task An_area_on_one_side_of_0_degrees_has_the_exact_extent_of_its_sites()
    {
        var client = server.Editor();
        foreach (var lon in new[] { -3.106932, -2.2, -0.451717 })
        {
            var site = Site(lon: lon, lat: 10.5);
            site["properties"]!["country"] = "BFA";
            await client.CreateAsync("sites", site);
        }
        var stats = await server.Client().GetJsonAsync("/api/stats?country=BFA&level=country");
        var bbox = stats["areas"]![0]!["bbox"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal(await server.Database.ScalarAsync<double>("SELECT ST_XMin(ST_Extent(geom)) FROM sites WHERE country = 'BFA'"), bbox[0]);
        Assert.Equal(await server.Database.ScalarAsync<double>("SELECT ST_XMax(ST_Extent(geom)) FROM sites WHERE country = 'BFA'"), bbox[2]);
    }
}
