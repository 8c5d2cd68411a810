using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>CQL2 filters: the API's numberMatched against the same condition written directly in SQL.</summary>
[Collection(DemoCollection.Name)]
public sealed class Cql2Tests(DemoDataServer server)
{
    private Task<long> MatchedAsync(string collection, string filter, string lang = "cql2-text") =>
        server.Client().FilterMatchedAsync(collection, filter, lang);

    [Theory]
    [InlineData("samples", "matrix = 'soil' AND value_normalized > 5", "matrix = 'soil' AND value_normalized > 5")]
    [InlineData("samples", "matrix IN ('hair', 'urine', 'blood') OR below_detection = TRUE", "matrix IN ('hair', 'urine', 'blood') OR below_detection")]
    [InlineData("samples", "NOT (matrix <> 'water') AND value BETWEEN 0.5 AND 2", "matrix = 'water' AND value BETWEEN 0.5 AND 2")]
    [InlineData("samples", "laboratory LIKE 'Demo Lab%' AND method NOT LIKE '%Lumex%'", "laboratory LIKE 'Demo Lab%' AND method NOT LIKE '%Lumex%'")]
    [InlineData("samples", "detection_limit IS NULL and value >= 1e1", "detection_limit IS NULL AND value >= 10")]
    [InlineData("samples", "detection_limit IS NOT NULL", "detection_limit IS NOT NULL")]
    [InlineData("samples", "S_INTERSECTS(geometry, POLYGON((-2.2 5.2, -1.6 5.2, -1.6 6.0, -2.2 6.0, -2.2 5.2)))",
        "ST_Intersects(geom, ST_GeomFromText('POLYGON((-2.2 5.2, -1.6 5.2, -1.6 6.0, -2.2 6.0, -2.2 5.2))', 4326))")]
    [InlineData("samples", "S_INTERSECTS(geometry, BBOX(-2.2, 5.2, -1.6, 6.0)) AND matrix = 'sediment'",
        "ST_Intersects(geom, ST_MakeEnvelope(-2.2, 5.2, -1.6, 6.0, 4326)) AND matrix = 'sediment'")]
    [InlineData("samples", "T_INTERSECTS(sampled_at, INTERVAL('2024-04-01', '2024-06-30'))", "sampled_at >= '2024-04-01' AND sampled_at < '2024-07-01'")]
    [InlineData("samples", "T_BEFORE(sampled_at, DATE('2024-05-01'))", "sampled_at < '2024-05-01'")]
    [InlineData("samples", "T_AFTER(sampled_at, TIMESTAMP('2024-09-30T23:59:59Z'))", "sampled_at >= '2024-10-01'")]
    [InlineData("hotspots", "T_DURING(INTERVAL(first_observed, last_observed), INTERVAL('2024-01-01', '..'))", "first_observed > '2024-01-01' AND last_observed IS NOT NULL")]
    [InlineData("samples", "sampled_at >= TIMESTAMP('2024-08-01T00:00:00Z')", "sampled_at >= '2024-08-01'")]
    [InlineData("sites", "status = 'active' AND (whole_ore_amalgamation = TRUE OR open_burning_amalgam = true) AND miners_total > 300",
        "status = 'active' AND (whole_ore_amalgamation OR open_burning_amalgam) AND miners_total > 300")]
    [InlineData("sites", "survey_date BETWEEN DATE('2023-01-01') AND DATE('2023-12-31') AND \"admin1\" = 'Ashanti'",
        "survey_date BETWEEN '2023-01-01' AND '2023-12-31' AND admin1 = 'Ashanti'")]
    [InlineData("sites", "T_INTERSECTS(survey_date, INTERVAL('2023-01-01', '2023-12-31'))", "survey_date BETWEEN '2023-01-01' AND '2023-12-31'")]
    [InlineData("hotspots", "T_INTERSECTS(INTERVAL(first_observed, last_observed), DATE('2024-03-01'))",
        "first_observed <= '2024-03-01' AND last_observed >= '2024-03-01'")]
    [InlineData("hotspots", "S_CONTAINS(BBOX(-3.5, 4.5, 1.5, 11.5), geometry) and kind <> 'gold_shop'", "kind <> 'gold_shop'")]
    // 9999-12-31, the last day there is, is how many clients write "no end": an open end, not an overflow.
    [InlineData("sites", "survey_date <= DATE('9999-12-31')", "survey_date IS NOT NULL")]
    [InlineData("samples", "T_INTERSECTS(sampled_at, INTERVAL('2024-06-01', '9999-12-31'))", "sampled_at >= '2024-06-01'")]
    [InlineData("samples", "T_AFTER(sampled_at, DATE('9999-12-31'))", "false")]
    [InlineData("samples", "T_BEFORE(sampled_at, TIMESTAMP('9999-12-31T23:59:59.9999999Z'))", "true")]
    public async Task Text_filters_match_the_same_condition_in_SQL(string collection, string filter, string sql)
    {
        var expected = await server.CountAsync($"SELECT count(*) FROM {collection} WHERE {sql}");
        Assert.Equal(expected, await MatchedAsync(collection, filter));
    }

    [Fact]
    public async Task Known_answers_on_the_demo_data_are_not_trivial()
    {
        // Guard against a filter language that "matches" by returning everything or nothing.
        var all = await server.CountAsync("SELECT count(*) FROM samples");
        var soil = await MatchedAsync("samples", "matrix = 'soil'");
        Assert.InRange(soil, 1, all - 1);
        Assert.Equal(all, await MatchedAsync("samples", "matrix = 'soil' OR matrix <> 'soil'"));
        Assert.Equal(0, await MatchedAsync("samples", "FALSE"));
    }

    [Fact]
    public async Task Json_filters_read_into_the_same_tree_as_text()
    {
        var text = await MatchedAsync("samples",
            "matrix IN ('soil','sediment') AND value_normalized >= 2 AND T_INTERSECTS(sampled_at, INTERVAL('2024-04-01','..')) AND S_INTERSECTS(geometry, BBOX(-2.5,5,-1,6.5))");
        var json = await MatchedAsync("samples", """
            {"op":"and","args":[
              {"op":"in","args":[{"property":"matrix"},["soil","sediment"]]},
              {"op":">=","args":[{"property":"value_normalized"},2]},
              {"op":"t_intersects","args":[{"property":"sampled_at"},{"interval":["2024-04-01",".."]}]},
              {"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-2.5,5,-1,6.5]}]}]}
            """, "cql2-json");
        Assert.Equal(text, json);
        Assert.True(text > 0);
        var geoJsonLiteral = await MatchedAsync("samples", """
            {"op":"s_intersects","args":[{"property":"geometry"},
              {"type":"Polygon","coordinates":[[[-2.5,5],[-1,5],[-1,6.5],[-2.5,6.5],[-2.5,5]]]}]}
            """, "cql2-json");
        Assert.Equal(await MatchedAsync("samples", "S_INTERSECTS(geometry, BBOX(-2.5,5,-1,6.5))"), geoJsonLiteral);
        // A GeometryCollection holds "geometries", not "coordinates"; it reads as the cql2-text GEOMETRYCOLLECTION does.
        var collectionText = await MatchedAsync("samples",
            "S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POLYGON((-2.5 5,-1 5,-1 6.5,-2.5 6.5,-2.5 5)),POINT(0 0)))");
        Assert.Equal(geoJsonLiteral, collectionText);
        Assert.Equal(collectionText, await MatchedAsync("samples", """
            {"op":"s_intersects","args":[{"property":"geometry"},{"type":"GeometryCollection","geometries":[
              {"type":"Polygon","coordinates":[[[-2.5,5],[-1,5],[-1,6.5],[-2.5,6.5],[-2.5,5]]]},{"type":"Point","coordinates":[0,0]}]}]}
            """, "cql2-json"));
        Assert.Equal(await MatchedAsync("samples", "NOT (below_detection = true) AND matrix LIKE 's%'"),
            await MatchedAsync("samples", """{"op":"and","args":[{"op":"not","args":[{"op":"=","args":[{"property":"below_detection"},true]}]},{"op":"like","args":[{"property":"matrix"},"s%"]}]}""", "cql2-json"));
    }

    [Fact]
    public async Task A_geojson_literal_with_a_bbox_member_is_its_geometry_not_that_box()
    {
        // RFC 7946 lets any geometry carry a bbox; the triangle is half of its box, and only {"bbox": […]} is a CQL2 box.
        var triangle = await server.CountAsync(
            "SELECT count(*) FROM samples WHERE ST_Intersects(geom, ST_GeomFromText('POLYGON((-3 5,-1 5,-3 7,-3 5))', 4326))");
        var box = await server.CountAsync("SELECT count(*) FROM samples WHERE ST_Intersects(geom, ST_MakeEnvelope(-3, 5, -1, 7, 4326))");
        Assert.InRange(triangle, 1, box - 1);
        Assert.Equal(triangle, await MatchedAsync("samples", """
            {"op":"s_intersects","args":[{"property":"geometry"},
              {"type":"Polygon","coordinates":[[[-3,5],[-1,5],[-3,7],[-3,5]]],"bbox":[-3,5,-1,7]}]}
            """, "cql2-json"));
        Assert.Equal(box, await MatchedAsync("samples", """{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-3,5,-1,7]}]}""", "cql2-json"));
    }

    [Fact]
    public async Task Filter_crs_reads_geometry_literals_in_utm()
    {
        var crs = "http://www.opengis.net/def/crs/EPSG/0/32630";
        var expected = await server.CountAsync(
            "SELECT count(*) FROM samples WHERE ST_Intersects(ST_Transform(geom, 32630), ST_MakeEnvelope(590000, 575000, 655000, 663000, 32630))");
        var response = await server.Client().GetJsonAsync(
            $"/ogc/collections/samples/items?limit=1&filter-crs={crs}&filter={Uri.EscapeDataString("S_INTERSECTS(geometry, BBOX(590000, 575000, 655000, 663000))")}");
        Assert.Equal(expected, response["numberMatched"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("http://www.opengis.net/def/crs/EPSG/0/32630", "POLYGON((590000 575000,655000 575000,655000 663000,590000 663000,590000 575000),EMPTY)")]
    [InlineData("http://www.opengis.net/def/crs/EPSG/0/4326", "MULTIPOLYGON(((5 -3,5 -2,7 -2,7 -3,5 -3),EMPTY))")]
    public async Task An_empty_ring_in_a_filter_crs_is_a_400(string crs, string wkt)
    {
        var response = await server.Client().GetAsync(
            $"/ogc/collections/samples/items?filter-crs={Uri.EscapeDataString(crs)}&filter={Uri.EscapeDataString($"S_INTERSECTS(geometry, {wkt})")}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("empty ring", (await response.JsonAsync())["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("nonsense = 1", "'nonsense' is not a queryable property", "position 1")]
    [InlineData("matrix = 'soil' AND value >", "value was expected", "position 28")]
    [InlineData("matrix = 'soil", "not closed", "position 10")]
    [InlineData("value = 'ten'", "is not a valid number", "position 9")]
    [InlineData("matrix > 5", "is a number, but a text value", "position 10")]
    [InlineData("S_INTERSECTS(geometry, POLYGON((0 0, 1 1)))", "not valid WKT", "position 24")]
    [InlineData("FOO(matrix)", "not a function", "position 1")]
    [InlineData("sampled_at = DATE('2024-13-45')", "not a date", "position 14")]
    [InlineData("notes = DATE('2024-01-01')", "a DATE is not a text value", "position 9")]
    [InlineData("value = TIMESTAMP('2024-01-01T00:00:00Z')", "a TIMESTAMP is not a number", "position 9")]
    [InlineData("sampled_at = DATE('2024-01-01')", "T_INTERSECTS(property, DATE('YYYY-MM-DD'))", "position 14")]
    [InlineData("sampled_at BETWEEN '2024-01-01' AND '2024-01-31'", "is a day, not an instant", "position 20")]
    [InlineData("S_TOUCHES(geometry, MULTIPOLYGON(((-3 5,-1.5 5,-1.5 6.5,-3 6.5,-3 5)),((-2.5 5.5,0 5.5,0 8,-2.5 8,-2.5 5.5))))",
        "the geometry is not valid", "position 21")]
    [InlineData("S_INTERSECTS(geometry, POINT(1e400 0))", "finite", "position 24")]
    [InlineData("S_INTERSECTS(geometry, BBOX(0, 0, 1e400, 1))", "'1e400' is not a finite number", "position 35")]
    // PostgreSQL text holds no U+0000: found when the filter is read, not as the database's "invalid byte sequence".
    [InlineData("notes = 'a\0b'", "NUL character", "position 9")]
    [InlineData("matrix IN ('soil', '\0')", "NUL character", "position 20")]
    [InlineData("notes LIKE method", "must be a text literal", "position 12")]
    // NTS reads an EMPTY ring or member as valid; PostGIS refused it mid-query and the answer was a 500.
    [InlineData("S_INTERSECTS(geometry, POLYGON((-3 5,-2 5,-2 7,-3 7,-3 5),EMPTY))", "empty ring", "position 24")]
    [InlineData("S_INTERSECTS(geometry, MULTIPOLYGON(((-3 5,-2 5,-2 7,-3 7,-3 5),EMPTY)))", "empty ring", "position 24")]
    [InlineData("S_DISJOINT(geometry, GEOMETRYCOLLECTION(POINT(0 0),POLYGON((-3 5,-2 5,-2 7,-3 7,-3 5),EMPTY)))", "empty ring", "position 22")]
    [InlineData("S_INTERSECTS(geometry, MULTIPOLYGON(((-3 5,-2 5,-2 7,-3 7,-3 5)),EMPTY))", "empty POLYGON", "position 24")]
    // Arithmetic is named as such: it was "unexpected '* 2 …'; expected AND, OR or the end of the filter".
    [InlineData("value * 2 > detection_limit", "arithmetic is not supported ('*')", "position 7")]
    [InlineData("value > detection_limit + 1", "arithmetic is not supported ('+')", "position 25")]
    [InlineData("value DIV 2 = 1", "arithmetic is not supported ('div')", "position 7")]
    [InlineData("-value < 5", "arithmetic is not supported ('-')", "position 1")]
    [InlineData("(value) > 5", "arithmetic is not supported (a value in parentheses)", "position 1")]
    [InlineData("matrix = 'soil' AND (value) NOT BETWEEN 1 AND 2", "arithmetic is not supported (a value in parentheses)", "position 21")]
    [InlineData("value > (detection_limit)", "arithmetic is not supported (a value in parentheses)", "position 9")]
    // Empty geometries are refused as cql2-json refuses them: S_DISJOINT with one matched every feature.
    [InlineData("S_DISJOINT(geometry, MULTIPOLYGON(EMPTY))", "the geometry is empty", "position 22")]
    [InlineData("S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT EMPTY))", "the geometry is empty", "position 24")]
    [InlineData("S_INTERSECTS(geometry, POINT EMPTY)", "the geometry is empty", "position 24")]
    [InlineData("S_INTERSECTS(geometry, POINT Z EMPTY)", "the geometry is empty", "position 24")]
    [InlineData("S_WITHIN(POLYGON  EMPTY, geometry)", "the geometry is empty", "position 10")]
    [InlineData("S_INTERSECTS(geometry, GEOMETRYCOLLECTION EMPTY)", "the geometry is empty", "position 24")]
    public async Task Bad_filters_are_400_naming_what_and_where(string filter, string what, string where)
    {
        var response = await server.Client().GetAsync($"/ogc/collections/samples/items?filter={Uri.EscapeDataString(filter)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var detail = (await response.JsonAsync())["detail"]!.GetValue<string>();
        Assert.Contains(what, detail);
        Assert.Contains(where, detail);
    }

    [Theory]
    [InlineData("""{"op":"in","args":[{"property":"matrix"},[]]}""", "at least one value", "args[1]")]
    [InlineData("""{"op":"like","args":[{"property":"notes"},{"date":"2024-01-01"}]}""", "a DATE is not a text value", "args[1]")]
    [InlineData("""{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}]}""",
        "the geometry is not valid", "args[1]")]
    // PostgreSQL's LIKE refuses a pattern ending with its escape character mid-query; it is named here instead.
    [InlineData("""{"op":"like","args":[{"property":"notes"},"%\\"]}""", "ends with the escape character", "args[1]")]
    [InlineData("""{"op":"=","args":[{"property":"notes"},"a\u0000b"]}""", "NUL character", "args[1]")]
    [InlineData("""{"op":">","args":[{"op":"*","args":[{"property":"value"},2]},{"property":"detection_limit"}]}""", "arithmetic is not supported ('*')", "$.args[0].op")]
    [InlineData("""{"op":"s_disjoint","args":[{"property":"geometry"},{"type":"MultiPolygon","coordinates":[]}]}""", "the geometry is empty", "args[1]")]
    // An escaped lone surrogate is JSON but not text: System.Text.Json threw reading it, and the answer was a 500.
    [InlineData("""{"op":"=","args":[{"property":"notes"},"\ud83d"]}""", "lone surrogate", "$.args[1]")]
    [InlineData("""{"op":"in","args":[{"property":"notes"},["a","b\udc00c"]]}""", "lone surrogate", "$.args[1][1]")]
    [InlineData("""{"op":"=\ud83d","args":[{"property":"notes"},"a"]}""", "lone surrogate", "$.op")]
    [InlineData("""{"op":"=","args":[{"property":"no\ud83dtes"},"a"]}""", "lone surrogate", "$.args[0].property")]
    [InlineData("""{"op":"t_intersects","args":[{"property":"sampled_at"},{"date":"\ud83d"}]}""", "lone surrogate", "$.args[1].date")]
    public async Task Bad_json_filters_are_400_naming_what_and_where(string filter, string what, string where)
    {
        var response = await server.Client().GetAsync($"/ogc/collections/samples/items?filter-lang=cql2-json&filter={Uri.EscapeDataString(filter)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.JsonAsync())["detail"]!.GetValue<string>();
        Assert.Contains(what, detail);
        Assert.Contains(where, detail);
    }

    [Fact]
    public async Task Like_patterns_escape_with_a_backslash_and_nul_is_refused_in_query_parameters_too()
    {
        // An escaped backslash at the end is a literal backslash, not a dangling escape: matches nothing here, but runs.
        Assert.Equal(0, await MatchedAsync("samples", """{"op":"like","args":[{"property":"notes"},"%\\\\"]}""", "cql2-json"));
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM samples WHERE laboratory LIKE 'Demo Lab%'"),
            await MatchedAsync("samples", """{"op":"like","args":[{"property":"laboratory"},"Demo Lab%"]}""", "cql2-json"));
        var response = await server.Client().GetAsync("/ogc/collections/samples/items?notes=a%00b");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("NUL", (await response.JsonAsync())["errors"]!["notes"]![0]!.GetValue<string>());
        var search = await server.Client().GetAsync("/api/samples?q=a%00b");
        Assert.Equal(HttpStatusCode.BadRequest, search.StatusCode);
        Assert.Contains("NUL", (await search.JsonAsync())["errors"]!["q"]![0]!.GetValue<string>());
    }

    [Theory]
    // CQL2's temporal operators on the named ends: intervals sharing an end meet and do not overlap.
    [InlineData("T_MEETS(INTERVAL('2024-01-01','2024-01-10'), INTERVAL('2024-01-10','2024-01-20'))", true)]
    [InlineData("T_METBY(INTERVAL('2024-01-10','2024-01-20'), INTERVAL('2024-01-01','2024-01-10'))", true)]
    [InlineData("T_OVERLAPS(INTERVAL('2024-01-01','2024-01-10'), INTERVAL('2024-01-10','2024-01-20'))", false)]
    [InlineData("T_OVERLAPS(INTERVAL('2024-01-01','2024-01-11'), INTERVAL('2024-01-10','2024-01-20'))", true)]
    [InlineData("T_OVERLAPPEDBY(INTERVAL('2024-01-10','2024-01-20'), INTERVAL('2024-01-01','2024-01-10'))", false)]
    [InlineData("T_OVERLAPPEDBY(INTERVAL('2024-01-10','2024-01-20'), INTERVAL('2024-01-01','2024-01-11'))", true)]
    [InlineData("T_MEETS(INTERVAL(TIMESTAMP('2024-01-01T00:00:00Z'), TIMESTAMP('2024-01-10T12:00:00Z')), INTERVAL(TIMESTAMP('2024-01-10T12:00:00Z'), '..'))", true)]
    [InlineData("T_MEETS(INTERVAL('2024-01-01','2024-01-10'), INTERVAL('2024-01-11','2024-01-20'))", false)]
    public async Task Temporal_operators_on_known_intervals(string filter, bool holds)
    {
        var all = await server.CountAsync("SELECT count(*) FROM samples");
        Assert.Equal(holds ? all : 0, await MatchedAsync("samples", filter));
    }

    public static TheoryData<string, string> Injections => new()
    {
        { "cql2-text", "matrix = 'soil'; DELETE FROM samples; --" },
        { "cql2-text", "matrix = 'soil' OR 1=1 --" },
        { "cql2-text", "matrix = 'x'' OR ''1''=''1'" }, // a quote inside a string stays data: matches nothing
        { "cql2-text", @"matrix = 'x\' OR \'1\'=\'1'" }, // so does CQL2's other escape for it
        { "cql2-text", "matrix = 'soil' /* comment */ OR TRUE" },
        { "cql2-text", "\"matrix; DROP TABLE samples; --\" = 'soil'" },
        { "cql2-text", "samples.matrix = 'soil'" },
        { "cql2-text", "pg_sleep(10) = 1" },
        { "cql2-text", "matrix = '" + new string('a', 5000) + "'" },
        { "cql2-text", "value > 1" + new string('0', 400) },
        { "cql2-text", string.Concat(Enumerable.Repeat("(", 200)) + "TRUE" + string.Concat(Enumerable.Repeat(")", 200)) },
        { "cql2-text", "value IN (" + string.Join(",", Enumerable.Repeat("1", 1001)) + ")" },
        { "cql2-json", """{"op":"=","args":[{"property":"matrix\"; DROP TABLE samples; --"},"soil"]}""" },
        { "cql2-json", """{"op":"; DELETE FROM samples","args":[]}""" },
        { "cql2-json", """{"op":"=","args":[{"property":"matrix"},"soil"],"sql":"DELETE FROM samples"}""" },
        { "sql", "1=1" },
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Injection_attempts_change_nothing(string lang, string filter)
    {
        var before = await server.CountAsync("SELECT count(*) FROM samples");
        var audit = await server.CountAsync("SELECT count(*) FROM audit_log");
        var response = await server.Client().GetAsync($"/ogc/collections/samples/items?limit=1&filter-lang={lang}&filter={Uri.EscapeDataString(filter)}");
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            // Only the quote cases and the ignored extra JSON member are valid filters; they match as plain data would.
            var matched = JsonNode.Parse(body)!["numberMatched"]!.GetValue<long>();
            Assert.Equal(filter.Contains("''1''") || filter.Contains(@"\'1\'") ? 0 : await server.CountAsync("SELECT count(*) FROM samples WHERE matrix = 'soil'"), matched);
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("application/problem+json", response.Content.Headers.ContentType!.ToString());
            Assert.DoesNotContain("Npgsql", body);
        }
        Assert.Equal(before, await server.CountAsync("SELECT count(*) FROM samples"));
        Assert.Equal(audit, await server.CountAsync("SELECT count(*) FROM audit_log"));
        Assert.Equal(1L, await server.CountAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'samples'"));
    }
}
