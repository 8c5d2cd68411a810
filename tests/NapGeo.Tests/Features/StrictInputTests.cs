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

    /// <summary>ASP.NET Core joins a repeated parameter's values with a comma: ?admin1=Ashanti&amp;admin1=Western asked for
    /// the admin1 "Ashanti,Western" and answered 200 with no site at all; a repeated bbox was an eight-number box.</summary>
    [Theory]
    [InlineData("/ogc/collections/sites/items?admin1=Ashanti&admin1=Western", "admin1", "filter=admin1 IN ('Ashanti','Western')")]
    [InlineData("/ogc/collections/sites/items?miners_total=5&miners_total=10", "miners_total", "filter=miners_total IN (5,10)")]
    [InlineData("/ogc/collections/sites/items?bbox=-3,5,-2,6&bbox=-2,6,-1,7", "bbox", "S_INTERSECTS(geometry, BBOX(")]
    [InlineData("/ogc/collections/sites/items?datetime=2023-01-01&datetime=2023-06-01", "datetime", "T_INTERSECTS")]
    [InlineData("/ogc/collections/sites/items?filter=miners_total%3E5&filter=status%3D%27active%27", "filter", "AND or OR")]
    [InlineData("/ogc/collections/sites/items?limit=5&limit=5", "limit", "")]
    [InlineData("/ogc/collections/sites/items?sortby=name&sortby=-miners_total", "sortby", "sortby=a,b")]
    [InlineData("/ogc/collections/sites/items?crs=EPSG:4326&crs=EPSG:3857", "crs", "")]
    [InlineData("/ogc/collections/sites/items?f=csv&f=json", "f", "")]
    [InlineData("/api/sites/export?status=active&status=inactive", "status", "filter=status IN ('active','inactive')")]
    [InlineData("/api/sites?admin1=Ashanti&admin1=Western", "admin1", "/ogc/collections/sites/items?filter=admin1 IN ('Ashanti','Western')")]
    [InlineData("/api/sites?bbox=-3,5,-2,6&bbox=-2,6,-1,7", "bbox", "")]
    [InlineData("/api/sites?q=Obuasi&q=Tarkwa", "q", "")]
    public async Task A_repeated_parameter_is_a_400_naming_it(string path, string name, string advice)
    {
        var response = await server.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.Equal([name], errors.Select(e => e.Key)); // the repetition alone, not also the joined value read as one
        var message = Assert.Single(errors[name]!.AsArray())!.GetValue<string>();
        Assert.StartsWith("is given 2 times; give it once", message);
        Assert.Contains(advice, message);
    }

    [Theory]
    [InlineData("crs=EPSG:4326&crs=EPSG:3857", "crs")]
    [InlineData("f=json&f=json", "f")]
    public async Task A_repeated_parameter_of_a_feature_is_a_400_naming_it(string parameters, string name)
    {
        var id = await server.Database.ScalarAsync<Guid>("SELECT id FROM sites ORDER BY site_code LIMIT 1");
        var response = await server.Client().GetAsync($"/ogc/collections/sites/items/{id}?{parameters}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.Equal([name], errors.Select(e => e.Key));
        Assert.StartsWith("is given 2 times", errors[name]![0]!.GetValue<string>());
    }

    /// <summary>The REST list binds limit and offset as numbers: the joined "5,10" was "not a whole number".</summary>
    [Theory]
    [InlineData("/api/sites?limit=5&limit=10", "limit: is given 2 times; give it once.")]
    [InlineData("/api/samples?offset=0&offset=0&offset=1", "offset: is given 3 times; give it once.")]
    public async Task A_repeated_number_of_the_rest_list_is_a_400_naming_it(string path, string detail)
    {
        var response = await server.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(detail, (await response.JsonAsync())["detail"]!.GetValue<string>());
    }
}
