using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using Npgsql;

namespace NapGeo.Tests.Features;

/// <summary>OGC API – Features Part 1 and 2 on the demo data: resources, paging, RFC 7946 output, CRS, validators, CORS.</summary>
[Collection(DemoCollection.Name)]
public sealed class OgcCoreTests(DemoDataServer server)
{
    private const string Utm30 = "http://www.opengis.net/def/crs/EPSG/0/32630";
    private const string Epsg4326 = "http://www.opengis.net/def/crs/EPSG/0/4326";

    [Fact]
    public async Task Landing_conformance_and_collections_describe_the_layers()
    {
        var client = server.Client();
        var landing = await client.GetJsonAsync("/ogc");
        var rels = landing["links"]!.AsArray().Select(l => l!["rel"]!.GetValue<string>()).ToList();
        Assert.Contains("service-desc", rels);
        Assert.Contains("conformance", rels);
        Assert.Contains("data", rels);

        var conformance = (await client.GetJsonAsync("/ogc/conformance"))["conformsTo"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", conformance);
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs", conformance);
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter", conformance);

        var collections = (await client.GetJsonAsync("/ogc/collections"))["collections"]!.AsArray();
        Assert.Equal(["sites", "hotspots", "samples"], collections.Select(c => c!["id"]!.GetValue<string>()));
        var samples = await client.GetJsonAsync("/ogc/collections/samples");
        Assert.Equal("http://www.opengis.net/def/crs/OGC/1.3/CRS84", samples["storageCrs"]!.GetValue<string>());
        var crs = samples["crs"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Contains(Utm30, crs);
        Assert.Contains("http://www.opengis.net/def/crs/EPSG/0/3857", crs);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/ogc/collections/sites.geojson")).StatusCode);
    }

    [Fact]
    public async Task Queryables_are_derived_from_the_layer_definition()
    {
        var schema = await server.Client().GetJsonAsync("/ogc/collections/samples/queryables");
        var properties = schema["properties"]!.AsObject();
        foreach (var field in NapGeo.Samples.SamplesLayer.Definition.Fields) Assert.True(properties.ContainsKey(field.Name), field.Name);
        Assert.Equal("number", properties["value"]!["type"]!.GetValue<string>());
        Assert.Equal("date-time", properties["sampled_at"]!["format"]!.GetValue<string>());
        Assert.Contains("hair", properties["matrix"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("geometry-point", properties["geometry"]!["format"]!.GetValue<string>());
    }

    /// <summary>With no proxy named, X-Forwarded-Host is anyone's to write: links stay those of the request.</summary>
    [Fact]
    public async Task Without_a_trusted_proxy_forwarded_headers_do_not_change_links()
    {
        var page = await Foundation.ForwardedProxy.GetAsync(server.Client(), "/ogc/collections/sites/items?limit=1");
        Assert.StartsWith($"{server.BaseAddress.ToString().TrimEnd('/')}/ogc/collections/sites/items?", Foundation.ForwardedProxy.Next(page));
    }

    [Fact]
    public async Task Items_page_with_numberMatched_and_next_prev_links_that_keep_the_filter()
    {
        var client = server.Client();
        var total = await server.CountAsync("SELECT count(*) FROM samples WHERE matrix = 'soil'");
        var page = await client.GetJsonAsync("/ogc/collections/samples/items?matrix=soil&limit=30&offset=30");
        Assert.Equal(total, page["numberMatched"]!.GetValue<long>());
        Assert.Equal(30, page["numberReturned"]!.GetValue<int>());
        Assert.NotNull(page["timeStamp"]);
        var links = page["links"]!.AsArray().ToDictionary(l => l!["rel"]!.GetValue<string>() + (l["type"]!.GetValue<string>().Contains("csv") ? "-csv" : ""),
            l => l!["href"]!.GetValue<string>(), StringComparer.Ordinal);
        Assert.Contains("offset=60", links["next"]);
        Assert.Contains("matrix=soil", links["next"]);
        Assert.Contains("offset=0", links["prev"]);
        Assert.Contains("f=csv", links["alternate-csv"]);

        // Follow next to the end: every soil sample exactly once.
        var seen = new HashSet<string>();
        string? next = "/ogc/collections/samples/items?matrix=soil&limit=40";
        while (next is not null)
        {
            var p = await client.GetJsonAsync(next);
            foreach (var f in p["features"]!.AsArray()) Assert.True(seen.Add(f!["id"]!.GetValue<string>()));
            next = p["links"]!.AsArray().FirstOrDefault(l => l!["rel"]!.GetValue<string>() == "next")?["href"]!.GetValue<string>();
        }
        Assert.Equal(total, seen.Count);

        // A limit above the maximum is served as the maximum (Part 1), not refused.
        var big = await client.GetJsonAsync("/ogc/collections/sites/items?limit=20000&properties=name");
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM sites"), big["numberReturned"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_box_alone_pages_in_list_order_through_the_point_index()
    {
        // bbox alone in the default order is the case the point index answers (migration 0050): the page's ids come
        // from the index and the rows are joined back. Following next must give exactly what SQL gives, in order.
        var client = server.Client();
        var expected = (await server.Database.ScalarAsync<string>(
            "SELECT string_agg(id::text, ',' ORDER BY campaign, external_id, id) FROM samples " +
            "WHERE ST_X(geom) BETWEEN -2.2 AND -1.6 AND ST_Y(geom) BETWEEN 5.2 AND 6.0")).Split(',');
        Assert.True(expected.Length > 25, $"the demo has {expected.Length} samples in the box: too few to page");
        var ids = new List<string>();
        string? next = "/ogc/collections/samples/items?bbox=-2.2,5.2,-1.6,6.0&limit=10";
        while (next is not null)
        {
            var page = await client.GetJsonAsync(next);
            Assert.Equal(expected.Length, page["numberMatched"]!.GetValue<long>());
            ids.AddRange(page["features"]!.AsArray().Select(f => f!["id"]!.GetValue<string>()));
            next = page["links"]!.AsArray().FirstOrDefault(l => l!["rel"]!.GetValue<string>() == "next")?["href"]!.GetValue<string>();
        }
        Assert.Equal(expected, ids);

        // The same box as latitude/longitude (EPSG:4326) and an output CRS take the same path and agree.
        var projected = await client.GetJsonAsync($"/ogc/collections/samples/items?bbox=5.2,-2.2,6.0,-1.6&bbox-crs={Epsg4326}&crs={Utm30}&limit=5&offset=20");
        Assert.Equal(expected[20..25], projected["features"]!.AsArray().Select(f => f!["id"]!.GetValue<string>()));
        Assert.True(projected["features"]![0]!["geometry"]!["coordinates"]![0]!.GetValue<double>() > 1000, "UTM metres expected");
        var beyond = await client.GetJsonAsync($"/ogc/collections/samples/items?bbox=-2.2,5.2,-1.6,6.0&offset={expected.Length}");
        Assert.Equal(expected.Length, beyond["numberMatched"]!.GetValue<long>());
        Assert.Empty(beyond["features"]!.AsArray());
        var nothing = await client.GetJsonAsync("/ogc/collections/samples/items?bbox=-30,-30,-29,-29");
        Assert.Equal(0, nothing["numberMatched"]!.GetValue<long>());
        Assert.Empty(nothing["features"]!.AsArray());
        var csv = await client.GetAsync("/ogc/collections/samples/items?bbox=-2.2,5.2,-1.6,6.0&limit=7&f=csv");
        Assert.Equal(expected.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), csv.Headers.GetValues("OGC-NumberMatched").Single());
        Assert.Equal(1 + 7, (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public async Task Output_is_RFC_7946_lon_lat_right_hand_rings_and_no_crs_member()
    {
        var client = server.Client();
        var response = await client.GetAsync("/ogc/collections/sites/items?limit=1000");
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", response.Headers.GetValues("Content-Crs").Single());
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.False(json.ContainsKey("crs"));
        var rings = 0;
        foreach (var feature in json["features"]!.AsArray())
        {
            Assert.False(feature!.AsObject().ContainsKey("crs"));
            Assert.Equal("MultiPolygon", feature["geometry"]!["type"]!.GetValue<string>());
            foreach (var polygon in feature["geometry"]!["coordinates"]!.AsArray())
                for (var r = 0; r < polygon!.AsArray().Count; r++)
                {
                    var ring = polygon[r]!.AsArray().Select(p => (X: p![0]!.GetValue<double>(), Y: p[1]!.GetValue<double>())).ToList();
                    Assert.Equal(ring[0], ring[^1]);
                    Assert.All(ring, p => Assert.True(p.X is > -3.5 and < 1.5 && p.Y is > 4.5 and < 11.5, $"({p.X}, {p.Y}) is not lon/lat in Ghana"));
                    var twiceArea = ring.Zip(ring.Skip(1)).Sum(e => e.First.X * e.Second.Y - e.Second.X * e.First.Y);
                    Assert.True(r == 0 ? twiceArea > 0 : twiceArea < 0, "exterior rings counter-clockwise, holes clockwise");
                    rings++;
                }
        }
        Assert.True(rings >= 685);
    }

    [Fact]
    public async Task Crs_transforms_output_in_PostGIS_and_EPSG_4326_is_latitude_first()
    {
        var client = server.Client();
        var id = await server.Database.ScalarAsync<Guid>("SELECT id FROM samples ORDER BY external_id LIMIT 1");
        var expectedX = await server.Database.ScalarAsync<double>("SELECT ST_X(ST_Transform(geom, 32630)) FROM samples WHERE id = $1", id);
        var expectedY = await server.Database.ScalarAsync<double>("SELECT ST_Y(ST_Transform(geom, 32630)) FROM samples WHERE id = $1", id);
        var lon = await server.Database.ScalarAsync<double>("SELECT ST_X(geom) FROM samples WHERE id = $1", id);
        var lat = await server.Database.ScalarAsync<double>("SELECT ST_Y(geom) FROM samples WHERE id = $1", id);

        var utm = await client.GetAsync($"/ogc/collections/samples/items/{id}?crs={Utm30}");
        Assert.Equal($"<{Utm30}>", utm.Headers.GetValues("Content-Crs").Single());
        var xy = JsonNode.Parse(await utm.Content.ReadAsStringAsync())!["geometry"]!["coordinates"]!.AsArray();
        Assert.Equal(expectedX, xy[0]!.GetValue<double>(), 2);
        Assert.Equal(expectedY, xy[1]!.GetValue<double>(), 2);

        var latLon = (await client.GetJsonAsync($"/ogc/collections/samples/items/{id}?crs={Epsg4326}"))["geometry"]!["coordinates"]!.AsArray();
        Assert.Equal(lat, latLon[0]!.GetValue<double>(), 6);
        Assert.Equal(lon, latLon[1]!.GetValue<double>(), 6);

        var bad = await client.GetAsync("/ogc/collections/samples/items?crs=http://www.opengis.net/def/crs/EPSG/0/2136");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("crs", (await bad.JsonAsync())["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Bbox_in_another_crs_selects_what_the_same_box_in_lon_lat_selects()
    {
        var client = server.Client();
        var expected = await server.CountAsync("SELECT count(*) FROM samples WHERE ST_Intersects(geom, ST_MakeEnvelope(-2.2, 5.2, -1.6, 6.0, 4326))");
        Assert.True(expected > 10);
        var lonLat = await client.GetJsonAsync("/ogc/collections/samples/items?bbox=-2.2,5.2,-1.6,6.0&limit=1");
        Assert.Equal(expected, lonLat["numberMatched"]!.GetValue<long>());
        var latLon = await client.GetJsonAsync($"/ogc/collections/samples/items?bbox=5.2,-2.2,6.0,-1.6&bbox-crs={Epsg4326}&limit=1");
        Assert.Equal(expected, latLon["numberMatched"]!.GetValue<long>());

        // About the same box in UTM 30N: a sample is in it when its UTM coordinates are.
        var utmExpected = await server.CountAsync(
            "SELECT count(*) FROM samples WHERE ST_Intersects(ST_Transform(geom, 32630), ST_MakeEnvelope(590000, 575000, 655000, 663000, 32630))");
        var utm = await client.GetJsonAsync($"/ogc/collections/samples/items?bbox=590000,575000,655000,663000&bbox-crs={Utm30}&limit=1");
        Assert.Equal(utmExpected, utm["numberMatched"]!.GetValue<long>());
    }

    [Fact]
    public async Task Datetime_sortby_and_properties()
    {
        var client = server.Client();
        var inApril = await server.CountAsync("SELECT count(*) FROM samples WHERE sampled_at >= '2024-04-01' AND sampled_at < '2024-05-01'");
        var april = await client.GetJsonAsync("/ogc/collections/samples/items?datetime=2024-04-01/2024-04-30&limit=1");
        Assert.Equal(inApril, april["numberMatched"]!.GetValue<long>());
        var after = await server.CountAsync("SELECT count(*) FROM samples WHERE sampled_at >= '2024-10-01'");
        Assert.Equal(after, (await client.GetJsonAsync("/ogc/collections/samples/items?datetime=2024-10-01/..&limit=1"))["numberMatched"]!.GetValue<long>());
        // Hotspots span first..last observed; an open last_observed counts as the first day only.
        var hotspots = await server.CountAsync("SELECT count(*) FROM hotspots WHERE first_observed <= '2024-06-01' AND coalesce(last_observed, first_observed) >= '2024-06-01'");
        Assert.Equal(hotspots, (await client.GetJsonAsync("/ogc/collections/hotspots/items?datetime=2024-06-01"))["numberMatched"]!.GetValue<long>());
        // An instant is read as both ends of the interval: a bad one was told twice.
        var badDay = await (await client.GetAsync("/ogc/collections/samples/items?datetime=2024-13-01")).JsonAsync();
        Assert.Single(badDay["errors"]!["datetime"]!.AsArray());

        var sorted = await client.GetJsonAsync("/ogc/collections/samples/items?sortby=-value_normalized&limit=5&properties=value_normalized,matrix");
        var values = sorted["features"]!.AsArray().Select(f => f!["properties"]!["value_normalized"]!.GetValue<double>()).ToList();
        Assert.Equal(values.OrderByDescending(v => v), values);
        Assert.Equal(["value_normalized", "matrix"], sorted["features"]![0]!["properties"]!.AsObject().Select(p => p.Key).OrderByDescending(k => k));
        var bad = await client.GetAsync("/ogc/collections/samples/items?sortby=nope&properties=secret");
        var errors = (await bad.JsonAsync())["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("sortby") && errors.ContainsKey("properties"));
    }

    [Fact]
    public async Task MapX_properties_dates_as_days_and_unix_seconds()
    {
        var hotspot = (await server.Client().GetJsonAsync("/ogc/collections/hotspots/items?filter=first_observed IS NOT NULL AND last_observed IS NOT NULL&limit=1"))["features"]![0]!["properties"]!;
        var first = DateOnly.Parse(hotspot["first_observed"]!.GetValue<string>());
        var last = DateOnly.Parse(hotspot["last_observed"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds(), hotspot["mx_t0"]!.GetValue<long>());
        // The end is the end of the last day: at midnight, a MapX window opening at noon of that day left the hotspot out.
        Assert.Equal(new DateTimeOffset(last.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero).ToUnixTimeSeconds(), hotspot["mx_t1"]!.GetValue<long>());
        var site = (await server.Client().GetJsonAsync("/ogc/collections/sites/items?filter=survey_date IS NOT NULL&limit=1"))["features"]![0]!["properties"]!;
        Assert.Equal(site["mx_t0"]!.GetValue<long>() + 86_399, site["mx_t1"]!.GetValue<long>()); // a survey day, from start to end
        var sample = (await server.Client().GetJsonAsync("/ogc/collections/samples/items?limit=1"))["features"]![0]!["properties"]!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", sample["sampled_at"]!.GetValue<string>());
        Assert.Equal(sample["mx_t0"]!.GetValue<long>(), sample["mx_t1"]!.GetValue<long>());
    }

    [Fact]
    public async Task ETag_and_Last_Modified_answer_304_until_the_layer_changes()
    {
        var client = server.Editor();
        const string path = "/ogc/collections/hotspots/items?limit=5";
        var first = await LastModifiedTests.SettledAsync(client, path); // a write in this second gives no Last-Modified yet
        var etag = first.Headers.ETag!;
        Assert.True(etag.IsWeak);
        Assert.Contains("Accept", first.Headers.Vary);
        Assert.NotNull(first.Content.Headers.LastModified);

        var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
        var since = new HttpRequestMessage(HttpMethod.Get, path);
        since.Headers.IfModifiedSince = first.Content.Headers.LastModified;
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(since)).StatusCode);
        var otherQuery = await client.GetAsync(path + "&f=csv");
        Assert.NotEqual(etag, otherQuery.Headers.ETag);

        await client.CreateAsync("hotspots", Infrastructure.Features.Hotspot(Infrastructure.Features.Point(-1.6, 6.7), "ETag probe"));
        var changed = new HttpRequestMessage(HttpMethod.Get, path);
        changed.Headers.IfNoneMatch.Add(etag);
        var response = await client.SendAsync(changed);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(etag, response.Headers.ETag);
    }

    [Fact]
    public async Task A_write_open_when_the_ETag_was_made_changes_it_when_it_commits_and_other_databases_do_not()
    {
        var client = server.Editor();
        const string path = "/ogc/collections/hotspots/items?limit=1";
        var hotspot = await server.Database.ScalarAsync<Guid>("SELECT id FROM hotspots ORDER BY id LIMIT 1");

        // Another database's open write is none of this layer's business: the ETag stays.
        var settled = (await client.GetAsync(path)).Headers.ETag!;
        var elsewhere = new NpgsqlConnectionStringBuilder(server.Database.BaseConnectionString) { Pooling = false };
        await using (var other = new NpgsqlConnection(elsewhere.ConnectionString))
        {
            await other.OpenAsync();
            await using var otherWrite = await other.BeginTransactionAsync();
            await using (var xid = new NpgsqlCommand("SELECT pg_current_xact_id()", other, otherWrite)) await xid.ExecuteScalarAsync();
            var meanwhile = new HttpRequestMessage(HttpMethod.Get, path);
            meanwhile.Headers.IfNoneMatch.Add(settled);
            Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(meanwhile)).StatusCode);
        }

        // This layer's open write takes its audit id now; a later write commits first with a higher one.
        await using var open = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { Pooling = false }.ConnectionString);
        await open.OpenAsync();
        await using var write = await open.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand("UPDATE hotspots SET name = name || ' (late)' WHERE id = $1", open, write))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = hotspot });
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }
        await client.CreateAsync("hotspots", Infrastructure.Features.Hotspot(Infrastructure.Features.Point(-1.7, 6.8), "Committed first"));
        var before = (await client.GetAsync(path)).Headers.ETag!;
        await write.CommitAsync();

        var after = new HttpRequestMessage(HttpMethod.Get, path);
        after.Headers.IfNoneMatch.Add(before);
        var response = await client.SendAsync(after);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(before, response.Headers.ETag);
        await server.Database.ScalarAsync<int>("UPDATE hotspots SET name = replace(name, ' (late)', '') WHERE id = $1 RETURNING 1", hotspot);
    }

    [Fact]
    public async Task Gzip_when_accepted_and_CORS_for_any_origin()
    {
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Get, "/ogc/collections/sites/items?limit=200");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        request.Headers.Add("Origin", "https://dashboard.example.org");
        var response = await client.SendAsync(request);
        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        await using var gzip = new System.IO.Compression.GZipStream(await response.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        var json = await JsonNode.ParseAsync(gzip);
        Assert.Equal(200, json!["numberReturned"]!.GetValue<int>());

        var preflight = new HttpRequestMessage(HttpMethod.Options, "/ogc/collections/sites/items");
        preflight.Headers.Add("Origin", "https://dashboard.example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key");
        var answer = await client.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Contains("GET", answer.Headers.GetValues("Access-Control-Allow-Methods").Single());
    }
}
