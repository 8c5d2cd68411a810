using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>
/// Items parameters at their edges: queryables as parameters, unknown parameters, limits beyond int, paging past the
/// end, single-feature validators per representation, projected boxes, and the collections' temporal extent.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class OgcParameterTests(DemoDataServer server)
{
    private const string Utm30 = "http://www.opengis.net/def/crs/EPSG/0/32630";

    private async Task<long> MatchedAsync(string path) => (await server.Client().GetJsonAsync(path))["numberMatched"]!.GetValue<long>();

    [Fact]
    public async Task Every_queryable_is_a_query_parameter_not_only_the_filterable_fields()
    {
        // laboratory and value are not filterable in the REST list; as OGC queryables they filter by equality.
        var laboratory = await server.Database.ScalarAsync<string>(
            "SELECT laboratory FROM samples WHERE laboratory IS NOT NULL GROUP BY laboratory ORDER BY count(*) DESC LIMIT 1");
        var expected = await server.CountAsync("SELECT count(*) FROM samples WHERE laboratory = $1", laboratory);
        Assert.InRange(expected, 1, await server.CountAsync("SELECT count(*) FROM samples") - 1);
        Assert.Equal(expected, await MatchedAsync($"/ogc/collections/samples/items?limit=1&laboratory={Uri.EscapeDataString(laboratory)}"));

        var value = await server.Database.ScalarAsync<double>("SELECT value FROM samples WHERE value IS NOT NULL ORDER BY external_id LIMIT 1");
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM samples WHERE value = $1", value),
            await MatchedAsync($"/ogc/collections/samples/items?limit=1&value={value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"));

        var id = await server.Database.ScalarAsync<Guid>("SELECT id FROM sites ORDER BY site_code LIMIT 1");
        var byId = await server.Client().GetJsonAsync($"/ogc/collections/sites/items?id={id}");
        Assert.Equal(1, byId["numberMatched"]!.GetValue<long>());
        Assert.Equal(id.ToString(), byId["features"]![0]!["id"]!.GetValue<string>());

        var bad = await server.Client().GetAsync("/ogc/collections/samples/items?value=ten");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("value", (await bad.JsonAsync())["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Descending_sortby_puts_missing_values_last_and_pages_in_one_stable_order()
    {
        // Below-detection samples have no value: a "highest first" list must start with the highest measured value.
        Assert.InRange(await server.CountAsync("SELECT count(*) FROM samples WHERE value IS NULL"), 1, long.MaxValue);
        var top = await server.Database.ScalarAsync<double>("SELECT max(value) FROM samples");
        var first = await server.Client().GetJsonAsync("/ogc/collections/samples/items?sortby=-value&limit=3&properties=value");
        Assert.Equal(top, first["features"]![0]!["properties"]!["value"]!.GetValue<double>());

        // Every page of the descending order, joined, is PostgreSQL's order with NULLs last and the id breaking ties.
        var expected = new List<string>();
        await using (var db = server.Database.CreateDataSource())
        await using (var cmd = db.CreateCommand("SELECT id FROM samples ORDER BY value DESC NULLS LAST, id"))
        await using (var row = await cmd.ExecuteReaderAsync())
            while (await row.ReadAsync()) expected.Add(row.GetGuid(0).ToString());
        var paged = new List<string>();
        for (var offset = 0; offset < expected.Count; offset += 70)
        {
            var page = await server.Client().GetJsonAsync($"/ogc/collections/samples/items?sortby=-value&limit=70&offset={offset}&properties=value");
            paged.AddRange(page["features"]!.AsArray().Select(f => f!["id"]!.GetValue<string>()));
        }
        Assert.Equal(expected, paged);
    }

    [Fact]
    public async Task A_datetime_ending_on_the_last_day_there_is_has_an_open_end()
    {
        var since = await server.CountAsync("SELECT count(*) FROM samples WHERE sampled_at >= '2024-06-01'");
        Assert.InRange(since, 1, await server.CountAsync("SELECT count(*) FROM samples") - 1);
        Assert.Equal(since, await MatchedAsync("/ogc/collections/samples/items?datetime=2024-06-01/9999-12-31&limit=1"));
        Assert.Equal(since, await MatchedAsync("/ogc/collections/samples/items?datetime=2024-06-01T00:00:00Z/9999-12-31T23:59:59.9999999Z&limit=1"));
        Assert.Equal(0, await MatchedAsync("/ogc/collections/samples/items?datetime=9999-12-31&limit=1"));
    }

    [Fact]
    public async Task A_date_for_a_timestamp_queryable_is_the_whole_utc_day()
    {
        // The output writes sampled_at as its UTC day; the same text as a query parameter selects that whole day.
        var editor = server.Editor();
        var created = new List<(Guid Id, string ETag)>();
        foreach (var at in new[] { "2024-05-31T23:59:59Z", "2024-06-01T00:00:00Z", "2024-06-01T10:30:00Z", "2024-06-01T23:59:59.5Z", "2024-06-02T00:00:00Z" })
        {
            var sample = Infrastructure.Features.Sample(-1.8, 6.1);
            sample["properties"]!["sampled_at"] = at;
            var (id, etag, _) = await editor.CreateAsync("samples", sample);
            created.Add((id, etag));
        }
        try
        {
            var day = await server.CountAsync("SELECT count(*) FROM samples WHERE sampled_at >= '2024-06-01Z' AND sampled_at < '2024-06-02Z'");
            Assert.InRange(day, 3, long.MaxValue);
            Assert.Equal(day, await MatchedAsync("/ogc/collections/samples/items?sampled_at=2024-06-01&limit=1"));
            Assert.Equal(day, await MatchedAsync("/ogc/collections/samples/items?datetime=2024-06-01&limit=1"));
            // An instant is still that instant.
            Assert.Equal(1, await MatchedAsync("/ogc/collections/samples/items?sampled_at=2024-06-01T10:30:00Z&limit=1"));
        }
        finally
        {
            foreach (var (id, etag) in created) await editor.SendAsync(HttpMethod.Delete, $"/api/samples/{id}", ifMatch: etag);
        }
    }

    [Fact]
    public async Task A_bbox_across_the_antimeridian_has_its_west_edge_east_of_its_east_edge()
    {
        // OGC API – Features Part 1, 7.15.3: bbox=170,0,-170,10 is the 20° around the antimeridian, both halves.
        var editor = server.Editor();
        var west = await editor.CreateAsync("samples", Infrastructure.Features.Sample(175, 5));
        var east = await editor.CreateAsync("samples", Infrastructure.Features.Sample(-175, 5, matrix: "water", unit: "µg/L"));
        var outside = await editor.CreateAsync("samples", Infrastructure.Features.Sample(165, 5));
        try
        {
            var page = await server.Client().GetJsonAsync("/ogc/collections/samples/items?bbox=170,0,-170,10");
            Assert.Equal(2, page["numberMatched"]!.GetValue<long>());
            Assert.Equal(new[] { west.Id, east.Id }.Select(i => i.ToString()).Order(),
                page["features"]!.AsArray().Select(f => f!["id"]!.GetValue<string>()).Order());
            // Through the general path (another filter, another order) and in latitude-first EPSG:4326 alike.
            Assert.Equal(1, await MatchedAsync("/ogc/collections/samples/items?bbox=170,0,-170,10&matrix=water&sortby=-value"));
            Assert.Equal(2, await MatchedAsync("/ogc/collections/samples/items?bbox=0,170,10,-170&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326"));
            // The lower edge still may not lie above the upper one.
            Assert.Equal(HttpStatusCode.BadRequest, (await server.Client().GetAsync("/ogc/collections/samples/items?bbox=170,10,-170,0")).StatusCode);

            // A CQL2 BBOX reads the same way, in both encodings and in latitude-first EPSG:4326.
            string Filter(string cql) => "/ogc/collections/samples/items?filter=" + Uri.EscapeDataString(cql);
            Assert.Equal(2, await MatchedAsync(Filter("S_INTERSECTS(geometry, BBOX(170, 0, -170, 10))")));
            Assert.Equal(1, await MatchedAsync(Filter("S_INTERSECTS(geometry, BBOX(170, 0, -170, 10)) AND matrix = 'water'")));
            Assert.Equal(2, await MatchedAsync(Filter("""{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[170,0,-170,10]}]}""") + "&filter-lang=cql2-json"));
            Assert.Equal(2, await MatchedAsync(Filter("S_INTERSECTS(geometry, BBOX(0, 170, 10, -170))") + "&filter-crs=http://www.opengis.net/def/crs/EPSG/0/4326"));
            foreach (var (cql, crs, message) in new[]
            {
                ("BBOX(170, 10, -170, 0)", "", "BBOX minimum exceeds maximum"),
                ("BBOX(180, 0, -170, 10)", "", "BBOX minimum exceeds maximum"),
                ("BBOX(170, 0, -170, 10)", "&filter-crs=http://www.opengis.net/def/crs/EPSG/0/4326", "only longitude, the second axis"),
                ("BBOX(600000, 0, 500000, 10)", "&filter-crs=http://www.opengis.net/def/crs/EPSG/0/32630", "BBOX minimum exceeds maximum"),
                ("BBOX(100, 0, 50, 10)", "&filter-crs=http://www.opengis.net/def/crs/EPSG/0/3857", "is projected"),
            })
            {
                var refused = await server.Client().GetAsync(Filter($"S_INTERSECTS(geometry, {cql})") + crs);
                Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                Assert.Contains(message, await refused.Content.ReadAsStringAsync());
            }
        }
        finally
        {
            foreach (var (id, etag, _) in new[] { west, east, outside }) await editor.SendAsync(HttpMethod.Delete, $"/api/samples/{id}", ifMatch: etag);
        }
    }

    [Fact]
    public async Task An_unknown_parameter_is_a_400_naming_it_and_what_is_accepted()
    {
        var response = await server.Client().GetAsync("/ogc/collections/samples/items?bbbox=-2,5,-1,6");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var message = (await response.JsonAsync())["errors"]!["bbbox"]![0]!.GetValue<string>();
        Assert.Contains("bbox-crs", message);
        Assert.Contains("matrix", message);
        // The declared parameters, and the parameters of a single feature, are all still accepted.
        var id = await server.Database.ScalarAsync<Guid>("SELECT id FROM samples ORDER BY external_id LIMIT 1");
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync($"/ogc/collections/samples/items/{id}?crs={Utm30}&properties=matrix")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client().GetAsync($"/ogc/collections/samples/items/{id}?projection=utm")).StatusCode);
    }

    [Fact]
    public async Task A_limit_beyond_int_is_served_as_the_maximum_and_prev_past_the_end_is_the_last_page()
    {
        var all = await server.CountAsync("SELECT count(*) FROM samples");
        var huge = await server.Client().GetJsonAsync("/ogc/collections/samples/items?limit=99999999999");
        Assert.Equal(all, huge["numberReturned"]!.GetValue<long>());

        var past = await server.Client().GetJsonAsync("/ogc/collections/samples/items?offset=100000&limit=10");
        Assert.Equal(0, past["numberReturned"]!.GetValue<long>());
        var prev = past["links"]!.AsArray().Single(l => l!["rel"]!.GetValue<string>() == "prev")!["href"]!.GetValue<string>();
        Assert.Contains($"offset={all - 10}", prev);
        Assert.DoesNotContain(past["links"]!.AsArray(), l => l!["rel"]!.GetValue<string>() == "next");
    }

    [Fact]
    public async Task A_single_feature_has_a_tag_per_representation_compared_weakly()
    {
        var id = await server.Database.ScalarAsync<Guid>("SELECT id FROM samples ORDER BY external_id LIMIT 1");
        var path = $"/ogc/collections/samples/items/{id}";
        var plain = (await server.Client().GetAsync(path)).Headers.ETag!;
        var utm = await server.Client().GetAsync($"{path}?crs={Utm30}&properties=value");
        Assert.NotEqual(plain, utm.Headers.ETag);

        // The plain copy's tag does not validate the UTM representation …
        var other = new HttpRequestMessage(HttpMethod.Get, $"{path}?crs={Utm30}&properties=value");
        other.Headers.IfNoneMatch.Add(plain);
        Assert.Equal(HttpStatusCode.OK, (await server.Client().SendAsync(other)).StatusCode);
        // … and a weak form of the right tag does (If-None-Match compares weakly).
        var weak = new HttpRequestMessage(HttpMethod.Get, path);
        weak.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(plain.Tag, isWeak: true));
        Assert.Equal(HttpStatusCode.NotModified, (await server.Client().SendAsync(weak)).StatusCode);
    }

    [Fact]
    public async Task Projected_boxes_are_exact_in_their_own_crs_and_a_zone_across_the_antimeridian_stays_there()
    {
        // Exact: the sample is in the box when its UTM coordinates are, whatever the box's curved edges do in lon/lat.
        var expected = await server.CountAsync(
            "SELECT count(*) FROM samples WHERE ST_Intersects(ST_Transform(geom, 32630), ST_MakeEnvelope(590000, 575000, 655000, 663000, 32630))");
        Assert.True(expected > 10);
        Assert.Equal(expected, await MatchedAsync($"/ogc/collections/samples/items?bbox=590000,575000,655000,663000&bbox-crs={Utm30}&limit=1"));
        var filter = Uri.EscapeDataString("S_INTERSECTS(geometry, BBOX(590000, 575000, 655000, 663000))");
        Assert.Equal(expected, await MatchedAsync($"/ogc/collections/samples/items?filter-crs={Utm30}&filter={filter}&limit=1"));

        // UTM zone 1 spans 180°: this box is in the Pacific, from 179.4° E to 173.4° W. Ghana's samples are not in it.
        Assert.Equal(0, await MatchedAsync("/ogc/collections/samples/items?bbox-crs=EPSG:32601&bbox=100000,0,900000,1000000&limit=1"));
        // A sample put there is found from both sides of the antimeridian.
        var editor = server.Editor();
        var west = await editor.CreateAsync("samples", Infrastructure.Features.Sample(179.8, 4));
        var east = await editor.CreateAsync("samples", Infrastructure.Features.Sample(-179.5, 4));
        try
        {
            Assert.Equal(2, await MatchedAsync("/ogc/collections/samples/items?bbox-crs=EPSG:32601&bbox=100000,0,900000,1000000&limit=1"));
        }
        finally
        {
            foreach (var (id, etag, _) in new[] { west, east }) await editor.SendAsync(HttpMethod.Delete, $"/api/samples/{id}", ifMatch: etag);
        }

        // Web Mercator boxes past the world's edge are cut there; geometries in a projected output carry no crs member.
        var world = await server.Client().GetJsonAsync("/ogc/collections/samples/items?bbox-crs=EPSG:3857&bbox=-30000000,-20000000,30000000,20000000&crs=EPSG:3857&limit=1");
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM samples"), world["numberMatched"]!.GetValue<long>());
        Assert.False(world["features"]![0]!["geometry"]!.AsObject().ContainsKey("crs"));
        var beyond = await server.Client().GetAsync("/ogc/collections/samples/items?bbox-crs=EPSG:3857&bbox=21000000,0,22000000,1000000");
        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
    }

    [Fact]
    public async Task A_hotspot_with_an_end_but_no_start_is_open_towards_the_past()
    {
        var client = server.Editor();
        var hotspot = Infrastructure.Features.Hotspot(Infrastructure.Features.Point(-1.7, 6.6), "Seen last");
        hotspot["properties"]!["first_observed"] = null;
        hotspot["properties"]!["last_observed"] = "2024-08-01";
        var (id, etag, _) = await client.CreateAsync("hotspots", hotspot);
        try
        {
            async Task<bool> Finds(string datetime) => (await client.GetJsonAsync($"/ogc/collections/hotspots/items?datetime={datetime}&limit=100"))["features"]!
                .AsArray().Any(f => f!["id"]!.GetValue<string>() == id.ToString());
            Assert.True(await Finds("2024-08-01"));
            Assert.True(await Finds("0001-01-01/.."));
            Assert.True(await Finds("2019-01-01")); // it may have been there long before it was last seen
            Assert.False(await Finds("2024-08-02"));
            Assert.False(await Finds("2024-08-02/.."));
            // Every hotspot with a date at all: from the first day there is on.
            Assert.Equal(await server.CountAsync("SELECT count(*) FROM hotspots WHERE first_observed IS NOT NULL OR last_observed IS NOT NULL"),
                await MatchedAsync("/ogc/collections/hotspots/items?datetime=0001-01-01/..&limit=1"));
            // And the collection's temporal extent has no start.
            var interval = (await client.GetJsonAsync("/ogc/collections/hotspots"))["extent"]!["temporal"]!["interval"]![0]!.AsArray();
            Assert.Null(interval[0]);
        }
        finally
        {
            await client.SendAsync(HttpMethod.Delete, $"/api/hotspots/{id}", ifMatch: etag);
        }
    }

    [Fact]
    public async Task The_temporal_extent_ends_with_the_latest_start_of_features_without_an_end()
    {
        var client = server.Editor();
        var open = Infrastructure.Features.Hotspot(Infrastructure.Features.Point(-1.7, 6.6), "Open-ended");
        // The latest start a hotspot can have (a day after today, UTC): later than any other feature's.
        var latest = DateTime.UtcNow.Date.AddDays(1).ToString("yyyy-MM-dd");
        open["properties"]!["first_observed"] = latest;
        open["properties"]!["last_observed"] = null;
        var (id, etag, _) = await client.CreateAsync("hotspots", open);
        try
        {
            var interval = (await client.GetJsonAsync("/ogc/collections/hotspots"))["extent"]!["temporal"]!["interval"]![0]!.AsArray();
            Assert.StartsWith(latest, interval[1]!.GetValue<string>());
        }
        finally
        {
            await client.SendAsync(HttpMethod.Delete, $"/api/hotspots/{id}", ifMatch: etag);
        }
    }
}
