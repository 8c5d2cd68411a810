using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>
/// GEOMETRYCOLLECTION literals whose members overlap: GEOS failed on them mid-query (a 500, and in a CSV download the
/// header followed by the problem JSON). A collection names the union of its members, so each S_ function answers as it
/// does for that union written out as one polygon.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class Cql2CollectionTests(DemoDataServer server)
{
    private const string A = "POLYGON((-3 5,-2 5,-2 6,-3 6,-3 5))";
    private const string B = "POLYGON((-2.5 5.5,-1.5 5.5,-1.5 6.5,-2.5 6.5,-2.5 5.5))";
    private const string Collection = $"GEOMETRYCOLLECTION({A},{B})";
    private const string Union = "POLYGON((-3 5,-2 5,-2 5.5,-1.5 5.5,-1.5 6.5,-2.5 6.5,-2.5 6,-3 6,-3 5))";

    private const string CollectionJson = """
        {"type":"GeometryCollection","geometries":[
          {"type":"Polygon","coordinates":[[[-3,5],[-2,5],[-2,6],[-3,6],[-3,5]]]},
          {"type":"Polygon","coordinates":[[[-2.5,5.5],[-1.5,5.5],[-1.5,6.5],[-2.5,6.5],[-2.5,5.5]]]}]}
        """;

    private Task<long> MatchedAsync(string collection, string filter, string lang = "cql2-text") =>
        server.Client().FilterMatchedAsync(collection, filter, lang);

    public static TheoryData<string, string> Functions()
    {
        var data = new TheoryData<string, string>();
        foreach (var layer in (string[])["sites", "samples"])
        foreach (var function in (string[])["S_INTERSECTS", "S_DISJOINT", "S_WITHIN", "S_CONTAINS", "S_OVERLAPS", "S_TOUCHES", "S_CROSSES", "S_EQUALS"])
            data.Add(layer, function);
        return data;
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public async Task Overlapping_members_answer_as_their_union_in_either_argument(string layer, string function)
    {
        Assert.Equal(await MatchedAsync(layer, $"{function}(geometry, {Union})"), await MatchedAsync(layer, $"{function}(geometry, {Collection})"));
        Assert.Equal(await MatchedAsync(layer, $"{function}({Union}, geometry)"), await MatchedAsync(layer, $"{function}({Collection}, geometry)"));
        Assert.Equal(await MatchedAsync(layer, $"{function}(geometry, {Union})"),
            await MatchedAsync(layer, $$"""{"op":"{{function.ToLowerInvariant()}}","args":[{"property":"geometry"},{{CollectionJson}}]}""", "cql2-json"));
    }

    [Fact]
    public async Task The_collection_matches_what_either_member_matches()
    {
        foreach (var layer in (string[])["sites", "samples", "hotspots"])
        {
            var either = await server.CountAsync(
                $"SELECT count(*) FROM {layer} WHERE ST_Intersects(geom, ST_GeomFromText('{A}', 4326)) OR ST_Intersects(geom, ST_GeomFromText('{B}', 4326))");
            Assert.Equal(either, await MatchedAsync(layer, $"S_INTERSECTS(geometry, {Collection})"));
            var all = await server.CountAsync($"SELECT count(*) FROM {layer}");
            Assert.Equal(all - either, await MatchedAsync(layer, $"S_DISJOINT({Collection}, geometry)"));
        }
        Assert.True(await MatchedAsync("sites", $"S_INTERSECTS(geometry, {Collection})") > 0);
    }

    [Fact]
    public async Task A_csv_download_with_the_collection_is_the_features_alone()
    {
        var expected = await server.CountAsync(
            $"SELECT count(*) FROM sites WHERE ST_Intersects(geom, ST_GeomFromText('{A}', 4326)) OR ST_Intersects(geom, ST_GeomFromText('{B}', 4326))");
        var response = await server.Client().GetAsync($"/api/sites/export?f=csv&filter={Uri.EscapeDataString($"S_INTERSECTS(geometry, {Collection})")}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        Assert.StartsWith("text/csv", response.Content.Headers.ContentType!.ToString());
        Assert.StartsWith("id,wkt,", body);
        Assert.Equal(expected, System.Text.RegularExpressions.Regex.Matches(body, "^[0-9a-f]{8}-[0-9a-f]{4}-", System.Text.RegularExpressions.RegexOptions.Multiline).Count);
        Assert.DoesNotContain("\"status\"", body);
    }
}
