using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

[Collection(ApiCollection.Name)]
public sealed class CrudTests(NapGeoServer server)
{
    [Fact]
    public async Task Site_round_trip_create_get_patch_replace_delete()
    {
        var client = server.Editor();
        var code = Unique("GHA-RT");
        var (id, etag, created) = await client.CreateAsync("sites", Site(code));
        Assert.Equal("\"v1\"", etag);
        Assert.Equal("MultiPolygon", created["geometry"]!["type"]!.GetValue<string>());
        Assert.Equal(code, created["properties"]!["site_code"]!.GetValue<string>());
        Assert.Equal(12.5, created["properties"]!["mercury_use_kg_yr"]!.GetValue<double>());
        Assert.Equal("2024-03-01", created["properties"]!["survey_date"]!.GetValue<string>());
        Assert.Equal("unknown", created["properties"]!["deposit_type"]!.GetValue<string>()); // column default

        var get = await client.GetAsync($"/api/sites/{id}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("application/geo+json", get.Content.Headers.ContentType!.MediaType);
        var ring = (await get.JsonAsync())["geometry"]!["coordinates"]![0]![0]!.AsArray();
        Assert.Equal(5, ring.Count);
        Assert.Equal(-1.9, ring[0]![0]!.GetValue<double>(), 9);
        Assert.Equal(5.3, ring[0]![1]!.GetValue<double>(), 9);

        var patch = await client.SendAsync(HttpMethod.Patch, $"/api/sites/{id}",
            new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["status"] = "inactive", ["notes"] = "visited" } }, etag);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var patched = await patch.JsonAsync();
        Assert.Equal("inactive", patched["properties"]!["status"]!.GetValue<string>());
        Assert.Equal(code, patched["properties"]!["site_code"]!.GetValue<string>()); // untouched fields stay
        Assert.Equal(2, patched["properties"]!["version"]!.GetValue<int>());
        Assert.Equal("\"v2\"", patch.Headers.ETag!.Tag);

        var replacement = Site(code, lon: -2.0, lat: 5.5);
        replacement["properties"]!["name"] = "Renamed";
        var put = await client.SendAsync(HttpMethod.Put, $"/api/sites/{id}", replacement, "\"v2\"");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var replaced = await put.JsonAsync();
        Assert.Equal("Renamed", replaced["properties"]!["name"]!.GetValue<string>());
        Assert.Null(replaced["properties"]!["notes"]); // a replace drops what it does not send
        Assert.Equal(-2.0, replaced["geometry"]!["coordinates"]![0]![0]![0]![0]!.GetValue<double>(), 9);

        var delete = await client.DeleteAsync($"/api/sites/{id}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/sites/{id}")).StatusCode);
    }

    [Fact]
    public async Task Hotspot_round_trip_with_point_and_polygon()
    {
        var client = server.Editor();
        var (siteId, _, _) = await client.CreateAsync("sites", Site(lon: -1.5, lat: 6.1));
        var shop = Hotspot(Point(-1.62, 6.69), "Gold shop, Kumasi");
        shop["properties"]!["kind"] = "gold_shop";
        // Derived hotspots are the derivation's to make and replace: a client's "derived" would be deleted by the next run.
        shop["properties"]!["origin"] = "derived";
        var (shopId, _, shopJson) = await client.CreateAsync("hotspots", shop);
        Assert.Equal("Point", shopJson["geometry"]!["type"]!.GetValue<string>());
        Assert.Equal("manual", shopJson["properties"]!["origin"]!.GetValue<string>());

        var area = Hotspot(Square(-1.5, 6.1, 0.002));
        area["properties"]!["site_id"] = siteId.ToString();
        var (areaId, etag, areaJson) = await client.CreateAsync("hotspots", area);
        Assert.Equal("Polygon", areaJson["geometry"]!["type"]!.GetValue<string>());
        Assert.Equal(siteId.ToString(), areaJson["properties"]!["site_id"]!.GetValue<string>());

        var list = await (await client.GetAsync($"/api/hotspots?site_id={siteId}")).JsonAsync();
        Assert.Equal(1, list["numberMatched"]!.GetValue<int>());
        Assert.Equal(areaId.ToString(), list["features"]![0]!["id"]!.GetValue<string>());

        var patch = await client.SendAsync(HttpMethod.Patch, $"/api/hotspots/{areaId}",
            new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["severity"] = "critical" } }, etag);
        Assert.Equal("critical", (await patch.JsonAsync())["properties"]!["severity"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/hotspots/{shopId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/hotspots/{areaId}")).StatusCode);
    }

    [Fact]
    public async Task Sample_round_trip_normalizes_units_and_keeps_reported_values()
    {
        var client = server.Editor();
        var (id, etag, json) = await client.CreateAsync("samples", Sample(-1.7, 5.9, "water", 3.5, "ppb"));
        var p = json["properties"]!;
        Assert.Equal(3.5, p["value"]!.GetValue<double>());
        Assert.Equal("ppb", p["unit"]!.GetValue<string>());
        Assert.Equal(3.5, p["value_normalized"]!.GetValue<double>());
        Assert.Equal("µg/L", p["unit_normalized"]!.GetValue<string>());
        Assert.Equal("2024-05-02T00:00:00Z", p["sampled_at"]!.GetValue<string>());

        var patch = await client.SendAsync(HttpMethod.Patch, $"/api/samples/{id}",
            new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["unit"] = "mg/L" } }, etag);
        var patched = (await patch.JsonAsync())["properties"]!;
        Assert.Equal(3500, patched["value_normalized"]!.GetValue<double>(), 9);

        var belowDetection = Sample(-1.7, 5.9, "water", null, "µg/L");
        belowDetection["properties"]!["below_detection"] = true;
        belowDetection["properties"]!["detection_limit"] = 0.05;
        var (_, _, bd) = await client.CreateAsync("samples", belowDetection);
        Assert.Null(bd["properties"]!["value"]);
        Assert.Equal(0.05, bd["properties"]!["value_normalized"]!.GetValue<double>(), 12);

        // Exactly as a person writes it, in the JSON text too: 350 µg/kg was 0.35000000000000003 mg/kg.
        var (_, _, micrograms) = await client.CreateAsync("samples", Sample(-1.7, 5.9, "soil", 350, "µg/kg"));
        Assert.Equal("0.35", micrograms["properties"]!["value_normalized"]!.ToJsonString());

        // A measured value above the limit on a sample still flagged below detection was kept, and the sample classed by
        // the limit: 150 µg/L of mercury in water, 25 times WHO's guideline, stored as "below".
        var measured = await client.SendAsync(HttpMethod.Patch, $"/api/samples/{bd["id"]}",
            new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["value"] = 150 } }, "\"v1\"");
        Assert.Equal(HttpStatusCode.BadRequest, measured.StatusCode);
        Assert.Equal("150 is above the detection limit (0.05) while below_detection is true: a result above its limit was detected. " +
                     "Set below_detection to false, or leave value empty.",
            (await measured.JsonAsync())["errors"]!["properties.value"]![0]!.GetValue<string>());
        var detected = await client.SendAsync(HttpMethod.Patch, $"/api/samples/{bd["id"]}",
            new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["value"] = 150, ["below_detection"] = false } }, "\"v1\"");
        Assert.Equal(HttpStatusCode.OK, detected.StatusCode);
        Assert.Equal("critical", (await detected.JsonAsync())["properties"]!["exceedance_class"]!.GetValue<string>());
        // A value at the limit is how some labs write "<0.05": still accepted.
        var atLimit = Sample(-1.7, 5.9, "water", 0.05, "µg/L");
        atLimit["properties"]!["below_detection"] = true;
        atLimit["properties"]!["detection_limit"] = 0.05;
        await client.CreateAsync("samples", atLimit);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/samples/{id}")).StatusCode);
    }

    [Fact]
    public async Task Duplicate_external_id_in_a_campaign_is_a_conflict_naming_the_columns()
    {
        var client = server.Editor();
        var id = Unique("DUP");
        await client.CreateAsync("samples", Sample(-1.7, 5.9, id: id));
        var again = await client.SendAsync(HttpMethod.Post, "/api/samples", Sample(-1.7, 5.9, id: id));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("campaign and external_id", (await again.JsonAsync())["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_filters_by_bbox_and_property_and_pages_with_links()
    {
        var client = server.Editor();
        var country = "ZZA"; // a code no other test uses, so counts are exact
        for (var i = 0; i < 5; i++)
        {
            var site = Site(lon: 30 + i, lat: 10);
            site["properties"]!["country"] = country;
            site["properties"]!["status"] = i % 2 == 0 ? "active" : "abandoned";
            await client.CreateAsync("sites", site);
        }
        var active = await (await client.GetAsync($"/api/sites?country={country}&status=active")).JsonAsync();
        Assert.Equal(3, active["numberMatched"]!.GetValue<int>());

        var boxed = await (await client.GetAsync($"/api/sites?country={country}&bbox=30.5,9,32.5,11")).JsonAsync();
        Assert.Equal(2, boxed["numberReturned"]!.GetValue<int>()); // the squares at lon 31 and 32

        var page = await (await client.GetAsync($"/api/sites?country={country}&limit=2&offset=2")).JsonAsync();
        Assert.Equal(5, page["numberMatched"]!.GetValue<int>());
        Assert.Equal(2, page["numberReturned"]!.GetValue<int>());
        var links = page["links"]!.AsArray().ToDictionary(l => l!["rel"]!.GetValue<string>(), l => l!["href"]!.GetValue<string>());
        Assert.Contains("offset=4", links["next"]);
        Assert.Contains("offset=0", links["prev"]);
        Assert.Contains($"country={country}", links["next"]);
    }

    /// <summary>
    /// Country codes are stored in capitals; /api/stats and /api/countries take them in either case, and so does the list
    /// filter (it answered ?country=gha with an empty collection, numberMatched 0, as though the country had no sites).
    /// </summary>
    [Fact]
    public async Task A_country_filter_in_lower_case_finds_the_country()
    {
        var client = server.Editor();
        var site = Site(lon: 40, lat: 12);
        site["properties"]!["country"] = "ZZB"; // a code no other test uses
        await client.CreateAsync("sites", site);
        var lower = await (await client.GetAsync("/api/sites?country=zzb")).JsonAsync();
        Assert.Equal(1, lower["numberMatched"]!.GetValue<int>());
        var ogc = await (await client.GetAsync("/ogc/collections/sites/items?country=Zzb")).JsonAsync();
        Assert.Equal(1, ogc["numberMatched"]!.GetValue<int>());
    }

    /// <summary>
    /// A country filter that cannot be an ISO alpha-3 code (an ISO2 'GH', a name) is a 400 on the lists as on tiles and
    /// /api/stats: the lists answered it with an empty collection. Tiles take the code in either case, as the lists do.
    /// </summary>
    [Theory]
    [InlineData("/api/sites?country=GH")]
    [InlineData("/ogc/collections/sites/items?country=ghana")]
    [InlineData("/tiles/sites/0/0/0.mvt?country=GH")]
    public async Task A_country_filter_that_is_no_alpha3_code_is_a_400(string path)
    {
        var problem = await (await server.Client().GetAsync(path)).JsonAsync();
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.Contains("ISO 3166-1 alpha-3", problem["errors"]!["country"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Tiles_take_a_country_code_in_either_case()
    {
        var site = Site(lon: 41, lat: 13);
        site["properties"]!["country"] = "ZZC"; // a code no other test uses
        await server.Editor().CreateAsync("sites", site);
        var upper = await server.Client().GetAsync("/tiles/sites/0/0/0.mvt?country=ZZC");
        var lower = await server.Client().GetAsync("/tiles/sites/0/0/0.mvt?country=zzc");
        Assert.Equal(HttpStatusCode.OK, upper.StatusCode);
        Assert.Equal(HttpStatusCode.OK, lower.StatusCode);
        Assert.Equal(await upper.Content.ReadAsByteArrayAsync(), await lower.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_bbox_keeps_points_on_its_edges_and_drops_points_just_outside()
    {
        // Points are tested by their coordinates (no ST_Intersects): the edges belong to the box, a hair outside does not.
        var client = server.Editor();
        var campaign = "EDGE-" + Guid.NewGuid().ToString("N")[..8];
        (double Lon, double Lat, bool Inside)[] points =
        [
            (40.0, 20.0, true), (40.5, 20.5, true), (41.0, 21.0, true), (40.0, 21.0, true),
            (39.9999999, 20.5, false), (41.0000001, 20.5, false), (40.5, 19.9999999, false), (40.5, 21.0000001, false),
        ];
        foreach (var (lon, lat, _) in points)
        {
            var sample = Sample(lon, lat);
            sample["properties"]!["campaign"] = campaign;
            await client.CreateAsync("samples", sample);
        }
        var expected = points.Count(p => p.Inside);
        var rest = await (await client.GetAsync($"/api/samples?campaign={campaign}&bbox=40,20,41,21")).JsonAsync();
        Assert.Equal(expected, rest["numberMatched"]!.GetValue<int>());
        var ogc = await (await client.GetAsync($"/ogc/collections/samples/items?campaign={campaign}&bbox=40,20,41,21")).JsonAsync();
        Assert.Equal(expected, ogc["numberMatched"]!.GetValue<int>());
        Assert.Equal(expected, ogc["features"]!.AsArray().Count);
        Assert.All(ogc["features"]!.AsArray(), f =>
        {
            var c = f!["geometry"]!["coordinates"]!.AsArray();
            Assert.InRange(c[0]!.GetValue<double>(), 40, 41);
            Assert.InRange(c[1]!.GetValue<double>(), 20, 21);
        });
    }

    [Fact]
    public async Task A_rest_bbox_across_the_antimeridian_has_its_west_edge_east_of_its_east_edge()
    {
        var client = server.Editor();
        var campaign = Unique("DATELINE");
        foreach (var lon in new[] { 175.0, -175.0, 165.0 })
        {
            var sample = Sample(lon, -17);
            sample["properties"]!["campaign"] = campaign;
            await client.CreateAsync("samples", sample);
        }
        // 170° E to 170° W: the 20° around the antimeridian, both halves, as OGC API's bbox reads it.
        var across = await (await client.GetAsync($"/api/samples?campaign={campaign}&bbox=170,-20,-170,-10")).JsonAsync();
        Assert.Equal([-175.0, 175.0], across["features"]!.AsArray().Select(f => f!["geometry"]!["coordinates"]![0]!.GetValue<double>()).Order());
        var export = await client.GetStringAsync($"/api/samples/export?f=csv&campaign={campaign}&bbox=170,-20,-170,-10");
        Assert.Equal(3, export.Trim().Split('\n').Length); // header and two rows
        // Latitudes still may not be upside down.
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/samples?bbox=170,-10,-170,-20")).StatusCode);
    }

    [Fact]
    public async Task A_moved_sample_is_found_in_its_new_box_only()
    {
        // A box alone is answered from the samples' stored lon/lat point (migration 0050), which must follow the geometry.
        var client = server.Editor();
        var (id, etag, _) = await client.CreateAsync("samples", Sample(150.15, -70.05));
        async Task<string[]> InBox(string box) =>
            (await (await client.GetAsync($"/ogc/collections/samples/items?bbox={box}")).JsonAsync())["features"]!.AsArray().Select(f => f!["id"]!.GetValue<string>()).ToArray();
        Assert.Equal([id.ToString()], await InBox("150.1,-70.1,150.2,-70.0"));
        var move = await client.SendAsync(HttpMethod.Patch, $"/api/samples/{id}", new JsonObject { ["type"] = "Feature", ["geometry"] = Point(151.15, -71.05) }, etag);
        Assert.Equal(HttpStatusCode.OK, move.StatusCode);
        Assert.Empty(await InBox("150.1,-70.1,150.2,-70.0"));
        Assert.Equal([id.ToString()], await InBox("151.1,-71.1,151.2,-71.0"));
    }

    [Fact]
    public async Task Get_answers_304_to_a_matching_If_None_Match()
    {
        var client = server.Editor();
        var (id, etag, _) = await client.CreateAsync("sites", Site());
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/sites/{id}");
        request.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(etag));
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Search_finds_sites_by_name_or_code_case_insensitively_and_treats_wildcards_as_text()
    {
        var client = server.Editor();
        var code = Unique("SRCH");
        var site = Site(code);
        site["properties"]!["name"] = "Ntronang 100% Pit";
        await client.CreateAsync("sites", site);
        var byName = await (await client.GetAsync("/api/sites?q=ntronang")).JsonAsync();
        Assert.Equal(code, byName["features"]![0]!["properties"]!["site_code"]!.GetValue<string>());
        var byCode = await (await client.GetAsync($"/api/sites?q={code.ToLowerInvariant()}")).JsonAsync();
        Assert.Equal(1, byCode["numberMatched"]!.GetValue<int>());
        var percent = await (await client.GetAsync("/api/sites?q=" + Uri.EscapeDataString("100%"))).JsonAsync();
        Assert.Equal(1, percent["numberMatched"]!.GetValue<int>());
        var wildcard = await (await client.GetAsync("/api/sites?q=" + Uri.EscapeDataString("%"))).JsonAsync();
        Assert.Equal(1, wildcard["numberMatched"]!.GetValue<int>()); // only the name with a literal %
    }
}
