using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>
/// How deep a filter may nest, counted alike in both encodings (NOT, parentheses, and now function arguments and
/// INTERVAL ends), and what may stand as a condition.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class Cql2NestingTests(DemoDataServer server)
{
    private async Task<HttpResponseMessage> GetAsync(string collection, string filter, string lang) =>
        await server.Client().GetAsync($"/ogc/collections/{collection}/items?limit=1&filter-lang={lang}&filter={Uri.EscapeDataString(filter)}");

    private async Task<string> RefusedAsync(string collection, string filter, string lang = "cql2-text")
    {
        var response = await GetAsync(collection, filter, lang);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["errors"]!["filter"]![0]!.GetValue<string>();
    }

    private static string Nots(int n, string inner) =>
        string.Concat(Enumerable.Repeat("""{"op":"not","args":[""", n)) + inner + string.Concat(Enumerable.Repeat("]}", n));

    [Fact]
    public async Task Forty_nots_work_in_json_as_in_text_and_41_are_refused_with_the_same_message()
    {
        var condition = """{"op":"=","args":[{"property":"whole_ore_amalgamation"},true]}""";
        var text = await GetAsync("sites", string.Concat(Enumerable.Repeat("NOT ", 40)) + "whole_ore_amalgamation = TRUE", "cql2-text");
        var json = await GetAsync("sites", Nots(40, condition), "cql2-json");
        Assert.Equal(HttpStatusCode.OK, text.StatusCode);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        var expected = await server.CountAsync("SELECT count(*) FROM sites WHERE whole_ore_amalgamation");
        Assert.Equal(expected, (await json.JsonAsync())["numberMatched"]!.GetValue<long>());
        Assert.Equal(expected, (await text.JsonAsync())["numberMatched"]!.GetValue<long>());

        Assert.Contains("nests deeper than 40 levels", await RefusedAsync("sites", string.Concat(Enumerable.Repeat("NOT ", 41)) + "whole_ore_amalgamation = TRUE"));
        foreach (var n in (int[])[41, 120])
        {
            var message = await RefusedAsync("sites", Nots(n, condition), "cql2-json");
            Assert.Contains("nests deeper than 40 levels", message);
            Assert.DoesNotContain("maximum configured depth", message);
        }
    }

    public static TheoryData<string, string> Calls()
    {
        var data = new TheoryData<string, string>();
        foreach (var (open, inner) in (ReadOnlySpan<(string, string)>)[
                     ("INTERVAL(", "'2024-01-01'"), ("T_AFTER(", "survey_date"), ("S_WITHIN(", "geometry")])
            data.Add("cql2-text", $"T_INTERSECTS(survey_date, {string.Concat(Enumerable.Repeat(open, 120))}{inner}" +
                                  string.Concat(Enumerable.Repeat(", '..')", 120)) + ")");
        data.Add("cql2-json", string.Concat(Enumerable.Repeat("""{"op":"t_after","args":[""", 120)) + """{"property":"survey_date"}""" +
                              string.Concat(Enumerable.Repeat("]}", 120)));
        data.Add("cql2-json", """{"op":"t_after","args":[{"property":"survey_date"},""" + string.Concat(Enumerable.Repeat("""{"interval":[""", 120)) +
                              "\"..\"" + string.Concat(Enumerable.Repeat(""",".."]}""", 120)) + "]}");
        data.Add("cql2-json", string.Concat(Enumerable.Repeat("""{"op":"=","args":[""", 120)) + "1" + string.Concat(Enumerable.Repeat(",1]}", 120)));
        return data;
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Nested_calls_count_toward_the_depth_limit(string lang, string filter)
    {
        Assert.Contains("nests deeper than 40 levels", await RefusedAsync("sites", filter, lang));
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync("/health")).StatusCode);
    }

    [Theory]
    // CQL2 has no bare property as a condition (text booleanPrimary, JSON booleanExpression): text took it, JSON did not.
    [InlineData("cql2-text", "NOT whole_ore_amalgamation", "position 5")]
    [InlineData("cql2-text", "status = 'active' AND whole_ore_amalgamation", "position 23")]
    [InlineData("cql2-json", """{"op":"not","args":[{"property":"whole_ore_amalgamation"}]}""", "$.args[0]")]
    [InlineData("cql2-json", """{"property":"whole_ore_amalgamation"}""", "$")]
    public async Task A_bare_boolean_property_is_refused_alike_in_both_encodings_saying_how_to_write_it(string lang, string filter, string where)
    {
        var message = await RefusedAsync("sites", filter, lang);
        Assert.Contains("a property is not a condition in CQL2; compare it: whole_ore_amalgamation = TRUE", message);
        Assert.Contains($"(at {where})", message);
    }
}
