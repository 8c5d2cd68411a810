using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>CQL2 temporal functions and literals: what CQL2 refuses is a 400 naming it, what it allows matches SQL.</summary>
[Collection(DemoCollection.Name)]
public sealed class Cql2TemporalTests(DemoDataServer server)
{
    private Task<long> MatchedAsync(string collection, string filter, string lang = "cql2-text") =>
        server.Client().FilterMatchedAsync(collection, filter, lang);

    private async Task<string> RefusedAsync(string collection, string filter, string lang = "cql2-text")
    {
        var response = await server.Client().GetAsync(
            $"/ogc/collections/{collection}/items?filter-lang={lang}&filter={Uri.EscapeDataString(filter)}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{filter}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        return JsonNode.Parse(body)!["errors"]!["filter"]![0]!.GetValue<string>();
    }

    public static TheoryData<string> IntervalOnlyFunctions() =>
        new("T_CONTAINS", "T_DURING", "T_FINISHEDBY", "T_FINISHES", "T_MEETS", "T_METBY", "T_OVERLAPPEDBY", "T_OVERLAPS", "T_STARTEDBY", "T_STARTS");

    [Theory]
    [MemberData(nameof(IntervalOnlyFunctions))]
    public async Task Interval_only_functions_refuse_an_instant_naming_it(string function)
    {
        var property = await RefusedAsync("samples", $"{function}(sampled_at, INTERVAL('2024-08-14','2024-08-31'))");
        Assert.Contains($"{function} compares intervals only", property);
        Assert.Contains("first argument, 'sampled_at' (a timestamp property), is an instant", property);
        Assert.Contains("use T_INTERSECTS", property);
        Assert.Contains($"(at position {function.Length + 2})", property);
        var literal = await RefusedAsync("hotspots", $"{function}(INTERVAL(first_observed, last_observed), DATE('2024-03-01'))");
        Assert.Contains("second argument, DATE('2024-03-01'), is an instant", literal);
        var json = await RefusedAsync("sites",
            $$"""{"op":"{{function.ToLowerInvariant()}}","args":[{"interval":["2024-03-01","2024-03-31"]},{"timestamp":"2024-03-05T10:00:00Z"}]}""", "cql2-json");
        Assert.Contains("second argument, TIMESTAMP('2024-03-05T10:00:00Z'), is an instant", json);
        Assert.Contains("(at $.args[1])", json);
    }

    [Fact]
    public async Task A_date_property_in_t_during_is_refused_and_t_intersects_has_the_boundary_days()
    {
        var message = await RefusedAsync("sites", "T_DURING(survey_date, INTERVAL('2024-03-01','2024-03-31'))");
        Assert.Contains("'survey_date' (a date property)", message);
        var march = await server.CountAsync("SELECT count(*) FROM sites WHERE survey_date BETWEEN '2024-03-01' AND '2024-03-31'");
        Assert.True(march > 0);
        Assert.Equal(march, await MatchedAsync("sites", "T_INTERSECTS(survey_date, INTERVAL('2024-03-01','2024-03-31'))"));
    }

    [Theory]
    // Real intervals keep their Allen relations (hotspots observed over days; closed day intervals).
    [InlineData("T_DURING(INTERVAL(first_observed, last_observed), INTERVAL('2020-01-01', '..'))", "first_observed > '2020-01-01' AND last_observed IS NOT NULL")]
    [InlineData("T_CONTAINS(INTERVAL('2000-01-01', '2100-01-01'), INTERVAL(first_observed, last_observed))", "first_observed > '2000-01-01' AND last_observed < '2100-01-01'")]
    [InlineData("T_STARTS(INTERVAL(first_observed, last_observed), INTERVAL(first_observed, '..'))", "first_observed IS NOT NULL AND last_observed IS NOT NULL")]
    [InlineData("T_OVERLAPS(INTERVAL(first_observed, last_observed), INTERVAL('2024-01-01', '..'))", "first_observed < '2024-01-01' AND last_observed > '2024-01-01'")]
    public async Task Interval_functions_on_intervals_match_sql(string filter, string sql)
    {
        Assert.Equal(await server.CountAsync($"SELECT count(*) FROM hotspots WHERE {sql}"), await MatchedAsync("hotspots", filter));
    }

    [Theory]
    // CQL2's interval ends are instants, '..' or properties: the inner INTERVAL's start or end was taken silently.
    [InlineData("cql2-text", "T_INTERSECTS(survey_date, INTERVAL('2024-06-01', INTERVAL('2024-01-01','..')))", "not another INTERVAL", "position 50")]
    [InlineData("cql2-json", """{"op":"t_intersects","args":[{"property":"survey_date"},{"interval":[{"interval":["2024-01-01",".."]},"2024-06-01"]}]}""",
        "not another INTERVAL", "$.args[1].interval[0]")]
    // As datetime=2024-09-01/2024-08-01 is: it matched nothing, as if no feature were in it.
    [InlineData("cql2-text", "T_INTERSECTS(survey_date, INTERVAL('2024-09-01','2024-08-01'))", "end is before its start", "position 27")]
    [InlineData("cql2-text", "T_INTERSECTS(survey_date, INTERVAL(TIMESTAMP('2024-09-01T10:00:00Z'), DATE('2024-09-01')))", "", "")]
    [InlineData("cql2-text", "T_INTERSECTS(survey_date, INTERVAL(TIMESTAMP('2024-09-01T10:00:00Z'), TIMESTAMP('2024-09-01T09:59:59Z')))", "end is before its start", "position 27")]
    [InlineData("cql2-json", """{"op":"t_intersects","args":[{"property":"survey_date"},{"interval":["2024-09-01","2024-08-31"]}]}""", "end is before its start", "$.args[1]")]
    public async Task Malformed_intervals_are_400(string lang, string filter, string what, string where)
    {
        if (what.Length == 0)
        {
            // One day, from 10:00 to the end of the day it names: not reversed.
            Assert.Equal(await server.CountAsync("SELECT count(*) FROM sites WHERE survey_date = '2024-09-01'"), await MatchedAsync("sites", filter, lang));
            return;
        }
        var message = await RefusedAsync("sites", filter, lang);
        Assert.Contains(what, message);
        Assert.Contains($"(at {where})", message);
    }

    [Theory]
    // Read by DateTimeOffset.TryParse: 2 January by US convention, RFC 1123, no offset (as UTC), a space for the T.
    [InlineData("sampled_at > TIMESTAMP('01/02/2024 10:00')", "position 14")]
    [InlineData("sampled_at > TIMESTAMP('Tue, 02 Jan 2024 10:00:00 GMT')", "position 14")]
    [InlineData("sampled_at > TIMESTAMP('2024-01-02T10:00:00')", "position 14")]
    [InlineData("sampled_at > TIMESTAMP('2024-01-02 10:00:00Z')", "position 14")]
    [InlineData("T_INTERSECTS(sampled_at, INTERVAL('2024-01-02T10:00:00', '..'))", "position 35")]
    [InlineData("sampled_at > '2024-01-02 10:00:00'", "position 14")]
    [InlineData("sampled_at > '2024-01-02T10:00:00'", "position 14")]
    public async Task Timestamps_are_strict_rfc_3339_with_an_example(string filter, string where)
    {
        var message = await RefusedAsync("samples", filter);
        Assert.Contains("is not an RFC 3339 timestamp", message);
        Assert.Contains("e.g. 2024-05-02T10:00:00Z or 2024-05-02T12:00:00+02:00", message);
        Assert.Contains($"(at {where})", message);
    }

    [Fact]
    public async Task Rfc_3339_forms_are_read_as_instants()
    {
        var after = await server.CountAsync("SELECT count(*) FROM samples WHERE sampled_at > '2024-08-14T00:00:00Z'");
        Assert.InRange(after, 1, await server.CountAsync("SELECT count(*) FROM samples") - 1);
        Assert.Equal(after, await MatchedAsync("samples", "sampled_at > TIMESTAMP('2024-08-14t00:00:00z')"));
        Assert.Equal(after, await MatchedAsync("samples", "sampled_at > TIMESTAMP('2024-08-14T02:00:00.000+02:00')"));
        Assert.Equal(after, await MatchedAsync("samples", "sampled_at > TIMESTAMP('2024-08-13T23:00:00-01:00')"));
        Assert.Equal(after, await MatchedAsync("samples", "sampled_at > '2024-08-14T00:00:00Z'"));
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM samples WHERE sampled_at > '2024-08-14T00:00:00.5Z'"),
            await MatchedAsync("samples", "sampled_at > TIMESTAMP('2024-08-14T00:00:00.50000000001Z')"));
        Assert.Contains("is not a date written YYYY-MM-DD (RFC 3339 full-date, e.g. 2024-05-02)", await RefusedAsync("sites", "survey_date = DATE('2024-3-1')"));
    }

    [Theory]
    [InlineData("Wed,%2014%20Aug%202024%2000:00:00%20GMT", "is not an RFC 3339 date")]
    [InlineData("2024-08-14T00:00:00", "is not an RFC 3339 date")]
    [InlineData("2024-08-14%2000:00:00Z", "is not an RFC 3339 date")]
    [InlineData("2024-08-14T00:00:00%2B02:00/..", "")]
    [InlineData("2024-08-14T00:00:00+02:00", "the + written %2B in a URL")]
    [InlineData("14.08.2024", "is not an RFC 3339 date")]
    // Part 1's grammar has a date-time on at least one side: these were "everything".
    [InlineData("..", "has no date")]
    [InlineData("/", "has no date")]
    [InlineData("../..", "has no date")]
    public async Task Datetime_takes_rfc_3339_instants_and_intervals_with_one_open_end_at_most(string datetime, string what)
    {
        var response = await server.Client().GetAsync($"/ogc/collections/samples/items?limit=1&datetime={datetime}");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (what.Length == 0)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(await server.CountAsync("SELECT count(*) FROM samples WHERE sampled_at >= '2024-08-13T22:00:00Z'"), body["numberMatched"]!.GetValue<long>());
            return;
        }
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = body["errors"]!["datetime"]![0]!.GetValue<string>();
        Assert.Contains(what, message);
        Assert.Contains("2024-05-02", message);
    }

    [Theory]
    [InlineData("2024-08-14", "sampled_at >= '2024-08-14' AND sampled_at < '2024-08-15'")]
    [InlineData("2024-08-14T00:00:00Z", "sampled_at = '2024-08-14T00:00:00Z'")]
    [InlineData("2024-08-14/..", "sampled_at >= '2024-08-14'")]
    [InlineData("2024-08-14/", "sampled_at >= '2024-08-14'")]
    [InlineData("../2024-08-13", "sampled_at < '2024-08-14'")]
    [InlineData("/2024-08-13", "sampled_at < '2024-08-14'")]
    public async Task Datetime_forms_of_part_1_keep_working(string datetime, string sql)
    {
        var expected = await server.CountAsync($"SELECT count(*) FROM samples WHERE {sql}");
        Assert.True(expected > 0);
        var page = await server.Client().GetJsonAsync($"/ogc/collections/samples/items?limit=1&datetime={datetime}");
        Assert.Equal(expected, page["numberMatched"]!.GetValue<long>());
    }
}
