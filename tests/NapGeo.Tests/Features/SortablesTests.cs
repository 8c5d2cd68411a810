using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>
/// Part 5 sortables: the conformance page claimed them while /sortables was a 404, so a client following the claim
/// found nothing to tell it what sortby takes.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class SortablesTests(DemoDataServer server)
{
    private const string SortablesRel = "http://www.opengis.net/def/rel/ogc/1.0/sortables";

    [Fact]
    public async Task The_claimed_sortables_are_served_linked_from_the_collection()
    {
        var client = server.Client();
        var conformance = (await client.GetJsonAsync("/ogc/conformance"))["conformsTo"]!.AsArray().Select(c => c!.GetValue<string>());
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/sortables", conformance);

        var link = (await client.GetJsonAsync("/ogc/collections/samples"))["links"]!.AsArray().Single(l => l!["rel"]!.GetValue<string>() == SortablesRel)!;
        Assert.Equal("application/schema+json", link["type"]!.GetValue<string>());
        var response = await client.GetAsync(link["href"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType!.MediaType);
        var schema = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(link["href"]!.GetValue<string>(), schema["$id"]!.GetValue<string>());
        Assert.Equal("object", schema["type"]!.GetValue<string>());

        // The queryables without the geometry, with the same types: every one of them is a working sortby key.
        var queryables = (await client.GetJsonAsync("/ogc/collections/samples/queryables"))["properties"]!.AsObject();
        var sortables = schema["properties"]!.AsObject();
        Assert.Equal(queryables.Select(q => q.Key).Where(name => name != "geometry"), sortables.Select(s => s.Key));
        Assert.Equal("number", sortables["value"]!["type"]!.GetValue<string>());
        Assert.Equal("date-time", sortables["sampled_at"]!["format"]!.GetValue<string>());
        foreach (var name in sortables.Select(s => s.Key))
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/ogc/collections/samples/items?limit=1&sortby=-{name}")).StatusCode);
        var geometry = await client.GetAsync("/ogc/collections/samples/items?limit=1&sortby=geometry");
        Assert.Equal(HttpStatusCode.BadRequest, geometry.StatusCode);
        Assert.Contains("/ogc/collections/samples/sortables", (await geometry.JsonAsync())["errors"]!["sortby"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/ogc/collections/sites/sortables?limit=5", "limit")]
    [InlineData("/ogc/collections/sites/sortables?f=html", "f")]
    public async Task Sortables_refuse_parameters_they_do_not_take(string path, string name)
    {
        var response = await server.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True((await response.JsonAsync())["errors"]!.AsObject().ContainsKey(name));
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync("/ogc/collections/sites/sortables?f=json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client().GetAsync("/ogc/collections/nowhere/sortables")).StatusCode);
        var head = await server.Client().SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ogc/collections/sites/sortables"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }
}
