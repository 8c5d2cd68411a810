using System.Net;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>
/// Input that is almost right is refused, naming what is wrong and where, rather than read as something else: CRS
/// names that only end like one, parameters /ogc does not take.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class StrictInputTests(DemoDataServer server)
{
    [Theory]
    [InlineData("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84")]
    [InlineData("[OGC:CRS84]", "http://www.opengis.net/def/crs/OGC/1.3/CRS84")]
    [InlineData("urn:ogc:def:crs:OGC:1.3:CRS84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84")]
    [InlineData("EPSG:32630", "http://www.opengis.net/def/crs/EPSG/0/32630")]
    [InlineData("[EPSG:32630]", "http://www.opengis.net/def/crs/EPSG/0/32630")]
    [InlineData("urn:ogc:def:crs:EPSG::4326", "http://www.opengis.net/def/crs/EPSG/0/4326")]
    public async Task Crs_names_are_read_exactly(string name, string uri)
    {
        var response = await server.Client().GetAsync($"/ogc/collections/samples/items?limit=1&crs={Uri.EscapeDataString(name)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"<{uri}>", response.Headers.GetValues("Content-Crs").Single());
    }

    [Theory]
    [InlineData("crs", "XCRS84")]
    [InlineData("crs", "http://example.com/not/CRS84")]
    [InlineData("crs", "[[EPSG:32630]]")]
    [InlineData("bbox-crs", "OGC:NOTCRS84")]
    [InlineData("filter-crs", "EPSG:32630x")]
    public async Task A_name_that_only_ends_like_a_crs_is_a_400_naming_the_parameter(string parameter, string name)
    {
        var response = await server.Client().GetAsync($"/ogc/collections/samples/items?limit=1&{parameter}={Uri.EscapeDataString(name)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not a CRS", (await response.JsonAsync())["errors"]![parameter]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/ogc?bogus=1", "bogus")]
    [InlineData("/ogc?f=xml", "f")]
    [InlineData("/ogc/conformance?limit=5", "limit")]
    [InlineData("/ogc/collections?bogus=1", "bogus")]
    [InlineData("/ogc/collections/samples?f=html", "f")]
    [InlineData("/ogc/collections/samples?bbox=0,0,1,1", "bbox")]
    [InlineData("/ogc/collections/samples/queryables?f=json&filter=x", "filter")]
    public async Task Metadata_resources_refuse_parameters_they_do_not_take(string path, string name)
    {
        var response = await server.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True((await response.JsonAsync())["errors"]!.AsObject().ContainsKey(name));
        var head = await server.Client().SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(HttpStatusCode.BadRequest, head.StatusCode);
    }

    [Theory]
    [InlineData("/ogc?f=json")]
    [InlineData("/ogc/conformance")]
    [InlineData("/ogc/collections?f=JSON")]
    [InlineData("/ogc/collections/samples?f=json")]
    [InlineData("/ogc/collections/samples/queryables?f=json")]
    public async Task Metadata_resources_take_f_json(string path) =>
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync(path)).StatusCode);
}
