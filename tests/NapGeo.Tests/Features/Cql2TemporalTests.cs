using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>CQL2 temporal functions and literals: what CQL2 refuses is a 400 naming it, what it allows matches SQL.</summary>
[Collection(DemoCollection.Name)]
public sealed class Cql2TemporalTests(DemoDataServer server)
{
    private async Task<long> MatchedAsync(string collection, string filter, string lang = "cql2-text")
    {
        var response = await server.Client().GetAsync(
            $"/ogc/collections/{collection}/items?limit=1&filter-lang={lang}&filter={Uri.EscapeDataString(filter)}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{filter}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["numberMatched"]!.GetValue<long>();
    }

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
}
