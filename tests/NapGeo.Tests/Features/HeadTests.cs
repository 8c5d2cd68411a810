using System.Net;

namespace NapGeo.Tests.Features;

/// <summary>HEAD (RFC 9110 9.3.2) on every OGC resource, the REST resources, the downloads and the statistics: GET's headers, no body.</summary>
[Collection(DemoCollection.Name)]
public sealed class HeadTests(DemoDataServer server)
{
    private async Task<HttpResponseMessage> HeadAsync(string path)
    {
        var response = await server.Client().SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"HEAD {path}: {(int)response.StatusCode}");
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        return response;
    }

    [Theory]
    [InlineData("/ogc", "application/json")]
    [InlineData("/ogc/conformance", "application/json")]
    [InlineData("/ogc/collections", "application/json")]
    [InlineData("/ogc/collections/samples", "application/json")]
    [InlineData("/ogc/collections/samples/queryables", "application/schema+json")]
    [InlineData("/ogc/collections/samples/items?f=csv", "text/csv")]
    [InlineData("/api/stats", "application/json")]
    [InlineData("/api/stats?f=geojson", "application/geo+json")]
    public async Task Head_answers_what_get_answers_without_the_body(string path, string mediaType)
    {
        var head = await HeadAsync(path);
        Assert.Equal(mediaType, head.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Head_on_items_and_a_feature_gives_the_validators_and_the_count()
    {
        const string page = "/ogc/collections/samples/items?matrix=soil&limit=10";
        var get = await server.Client().GetAsync(page);
        var head = await HeadAsync(page);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Equal("application/geo+json", head.Content.Headers.ContentType!.MediaType);
        Assert.Equal((await server.CountAsync("SELECT count(*) FROM samples WHERE matrix = 'soil'")).ToString(),
            head.Headers.GetValues("OGC-NumberMatched").Single());

        var id = await server.Database.ScalarAsync<Guid>("SELECT id FROM samples ORDER BY external_id LIMIT 1");
        var feature = $"/ogc/collections/samples/items/{id}";
        Assert.Equal((await server.Client().GetAsync(feature)).Headers.ETag, (await HeadAsync(feature)).Headers.ETag);
        Assert.Equal(HttpStatusCode.NotFound,
            (await server.Client().SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/ogc/collections/samples/items/{Guid.NewGuid()}"))).StatusCode);
    }

    /// <summary>HEAD sent OGC-NumberMatched on a GeoJSON page and GET did not: HEAD is to tell what GET would.</summary>
    [Theory]
    [InlineData("json")]
    [InlineData("csv")]
    [InlineData("ndjson")]
    [InlineData("geojsonseq")]
    public async Task Get_and_head_give_the_same_count_on_a_page_of_every_format(string format)
    {
        var page = $"/ogc/collections/samples/items?matrix=soil&limit=10&f={format}";
        var count = (await server.CountAsync("SELECT count(*) FROM samples WHERE matrix = 'soil'")).ToString();
        Assert.Equal(count, (await HeadAsync(page)).Headers.GetValues("OGC-NumberMatched").Single());
        var get = await server.Client().GetAsync(page);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(count, get.Headers.TryGetValues("OGC-NumberMatched", out var values) ? values.Single() : null);
    }

    /// <summary>The REST resources answered HEAD with 405: a link checker or cache could not revalidate a feature.</summary>
    [Fact]
    public async Task Head_on_the_rest_resources_gives_the_feature_validator()
    {
        var page = await HeadAsync("/api/sites?limit=1");
        Assert.Equal("application/geo+json", page.Content.Headers.ContentType!.MediaType);
        var id = (await server.Client().GetJsonAsync("/api/samples?limit=1"))["features"]![0]!["id"]!.GetValue<string>();
        var get = await server.Client().GetAsync($"/api/samples/{id}");
        var head = await HeadAsync($"/api/samples/{id}");
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        var revalidate = new HttpRequestMessage(HttpMethod.Head, $"/api/samples/{id}");
        revalidate.Headers.IfNoneMatch.Add(get.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await server.Client().SendAsync(revalidate)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await server.Client().SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/samples/{Guid.NewGuid()}"))).StatusCode);
    }

    [Fact]
    public async Task Head_on_a_download_names_the_file_and_its_type()
    {
        var head = await HeadAsync("/api/sites/export?f=csv");
        Assert.Equal("text/csv", head.Content.Headers.ContentType!.MediaType);
        Assert.Contains("sites.csv", head.Content.Headers.ContentDisposition!.ToString());
        Assert.NotNull(head.Headers.ETag);
        Assert.Equal((await server.Client().GetAsync("/api/sites/export?f=csv")).Headers.ETag, head.Headers.ETag);
    }

    [Fact]
    public async Task Head_stays_out_of_the_openapi_document()
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(await server.Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        var items = doc["paths"]!["/ogc/collections/{collectionId}/items"]!.AsObject();
        Assert.Equal(["get"], items.Select(o => o.Key));
        Assert.Equal("OgcItems", items["get"]!["operationId"]!.GetValue<string>());
    }

    /// <summary>A 304 had only Vary: Accept, where its gzip 200 also varies on Accept-Encoding (RFC 9110 15.4.5).</summary>
    [Theory]
    [InlineData("/ogc/collections/samples/items?limit=5")]
    [InlineData("/api/samples/export?f=csv")]
    public async Task A_304_varies_on_what_its_200_varies_on(string path)
    {
        var client = server.Client();
        var get = new HttpRequestMessage(HttpMethod.Get, path);
        get.Headers.AcceptEncoding.ParseAdd("gzip");
        var first = await client.SendAsync(get);
        Assert.Equal("gzip", Assert.Single(first.Content.Headers.ContentEncoding));
        var revalidate = new HttpRequestMessage(HttpMethod.Get, path);
        revalidate.Headers.AcceptEncoding.ParseAdd("gzip");
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.ToString());
        var notModified = await client.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(first.Headers.Vary.Order(), notModified.Headers.Vary.Order());
        Assert.Contains("Accept-Encoding", notModified.Headers.Vary);
    }
}
