using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>Small points of reading a request: a string ending in a backslash, a repeated JSON key, an empty properties=.</summary>
[Collection(DemoCollection.Name)]
public sealed class Cql2ReaderTests(DemoDataServer server)
{
    private async Task<HttpResponseMessage> GetAsync(string query) => await server.Client().GetAsync($"/ogc/collections/samples/items?limit=1&{query}");

    [Fact]
    public async Task A_string_may_end_in_a_backslash_in_cql2_text()
    {
        var sample = await server.Database.ScalarAsync<Guid>("SELECT id FROM samples ORDER BY id LIMIT 1");
        await server.Database.ScalarAsync<int>(@"UPDATE samples SET notes = 'C:\data\' WHERE id = $1 RETURNING 1", sample);
        try
        {
            // CQL2's \' also escapes a quote, so 'C:\data\' never closed; read the other way the grammar allows, it does.
            foreach (var filter in (string[])[@"notes = 'C:\data\'", @"notes = 'C:\data\' AND matrix <> 'x'", @"notes LIKE '%\\'"])
            {
                var response = await GetAsync("filter=" + Uri.EscapeDataString(filter));
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{filter}: {(int)response.StatusCode} {body}");
                Assert.Equal(1, JsonNode.Parse(body)!["numberMatched"]!.GetValue<long>());
            }
            // Where the escape reading is a filter, it stands: O\'Brien is O'Brien, and so is O''Brien.
            // A filter with both needs '' for its quotes.
            foreach (var (filter, matched) in ((string, long)[])[(@"notes = 'O\'Brien'", 0), (@"notes = 'O''Brien' OR notes = 'C:\data\'", 1),
                         (@"notes = 'O''Brien' OR notes LIKE 'C:%\\'", 1)])
            {
                var quoted = await GetAsync("filter=" + Uri.EscapeDataString(filter));
                Assert.True(quoted.StatusCode == HttpStatusCode.OK, filter);
                Assert.Equal(matched, (await quoted.JsonAsync())["numberMatched"]!.GetValue<long>());
            }
        }
        finally
        {
            await server.Database.ScalarAsync<int>("UPDATE samples SET notes = NULL WHERE id = $1 RETURNING 1", sample);
        }
    }

    [Theory]
    [InlineData("""{"op":"=","op":"<>","args":[{"property":"matrix"},"soil"]}""", "\"op\" is given more than once", "(at $)")]
    [InlineData("""{"op":"and","args":[{"op":"=","args":[{"property":"matrix"},"soil"]},{"op":"=","args":[{"property":"matrix"},"x"],"args":[true,true]}]}""",
        "\"args\" is given more than once", "(at $.args[1])")]
    public async Task A_repeated_json_key_is_400(string filter, string what, string where)
    {
        var response = await GetAsync("filter-lang=cql2-json&filter=" + Uri.EscapeDataString(filter));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await response.JsonAsync())["errors"]!["filter"]![0]!.GetValue<string>();
        Assert.Contains(what, message);
        Assert.Contains(where, message);
    }

    [Theory]
    [InlineData("/ogc/collections/samples/items?properties=")]
    [InlineData("/ogc/collections/samples/items?properties=,%20,")]
    [InlineData("/api/samples/export?properties=")]
    public async Task An_empty_properties_is_400(string url)
    {
        var response = await server.Client().GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("names no property", (await response.JsonAsync())["errors"]!["properties"]![0]!.GetValue<string>());
    }

    /// <summary>
    /// A filter up to its documented 16,000 characters is read: a list of 1,000 site codes (~12 kB, ~18 kB encoded) got
    /// an empty 414 from the web server, whose request line stopped at 8 kB, before the filter's own limit could apply.
    /// </summary>
    [Fact]
    public async Task A_filter_up_to_its_documented_length_is_read_and_a_longer_one_is_a_problem_naming_the_limit()
    {
        var codes = Enumerable.Range(1, 1000).Select(i => $"'NOPE-{i:D4}'").ToList();
        codes[^1] = $"'{await server.Database.ScalarAsync<string>("SELECT site_code FROM sites ORDER BY site_code LIMIT 1")}'";
        var filter = $"site_code IN ({string.Join(", ", codes)})";
        Assert.InRange(filter.Length, 12_000, 16_000);
        var response = await server.Client().GetAsync($"/ogc/collections/sites/items?limit=1&filter={Uri.EscapeDataString(filter)}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        Assert.Equal(1, JsonNode.Parse(body)!["numberMatched"]!.GetValue<long>());

        var tooLong = $"notes = '{new string('x', 16_100)}'";
        var refused = await server.Client().GetAsync($"/ogc/collections/samples/items?filter={Uri.EscapeDataString(tooLong)}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Contains("the limit is 16000", await refused.Content.ReadAsStringAsync());
    }
}
