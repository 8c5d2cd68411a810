using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>/items/{featureId}: its links (Part 1 /req/geojson/single-links) and the parameters it takes.</summary>
[Collection(DemoCollection.Name)]
public sealed class SingleFeatureTests(DemoDataServer server)
{
    private const string Utm30 = "http://www.opengis.net/def/crs/EPSG/0/32630";

    private Task<Guid> FirstSampleAsync() => server.Database.ScalarAsync<Guid>("SELECT id FROM samples WHERE matrix = 'soil' ORDER BY external_id LIMIT 1");

    [Fact]
    public async Task A_feature_links_to_itself_to_itself_as_csv_and_to_its_collection()
    {
        var client = server.Client();
        var id = await FirstSampleAsync();
        var path = $"/ogc/collections/samples/items/{id}?crs={Uri.EscapeDataString(Utm30)}&properties=external_id";
        var feature = await client.GetJsonAsync(path);
        var links = feature["links"]!.AsArray().ToDictionary(l => l!["rel"]!.GetValue<string>(), l => l!);
        Assert.Equal(new Uri(server.BaseAddress, path), new Uri(links["self"]["href"]!.GetValue<string>()));
        Assert.Equal("application/geo+json", links["self"]["type"]!.GetValue<string>());

        // The CSV alternate is this one feature, in the CRS and with the properties asked for.
        Assert.StartsWith("text/csv", links["alternate"]["type"]!.GetValue<string>());
        var csv = (await client.GetStringAsync(links["alternate"]["href"]!.GetValue<string>())).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,x,y,external_id", csv[0]);
        Assert.Single(csv, l => l.StartsWith(id.ToString()));
        var coordinates = feature["geometry"]!["coordinates"]!.AsArray();
        Assert.Equal($"{id},{coordinates[0]},{coordinates[1]},{feature["properties"]!["external_id"]}", csv[1]);

        var collection = await client.GetJsonAsync(links["collection"]["href"]!.GetValue<string>());
        Assert.Equal("samples", collection["id"]!.GetValue<string>());
    }

    /// <summary>Guid.TryParse takes other forms of the id; self repeated them, so one feature had several identities.</summary>
    [Theory]
    [InlineData("N")] // no hyphens
    [InlineData("B")] // braces
    [InlineData("D-upper")]
    public async Task A_feature_asked_for_by_another_form_of_its_id_links_to_its_canonical_address(string form)
    {
        var id = await FirstSampleAsync();
        var written = form == "D-upper" ? id.ToString().ToUpperInvariant() : id.ToString(form);
        var response = await server.Client().GetAsync($"/ogc/collections/samples/items/{Uri.EscapeDataString(written)}?properties=external_id");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var feature = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(id.ToString(), feature["id"]!.GetValue<string>());
        var self = feature["links"]!.AsArray().Single(l => l!["rel"]!.GetValue<string>() == "self")!["href"]!.GetValue<string>();
        Assert.Equal(new Uri(server.BaseAddress, $"/ogc/collections/samples/items/{id}?properties=external_id"), new Uri(self));
    }

    [Theory]
    [InlineData("bbox=0,0,1,1", "bbox")] // a box the feature is not in: a 404 would say the feature does not exist
    [InlineData("datetime=1990-01-01", "datetime")]
    [InlineData("matrix=water", "matrix")]
    [InlineData("limit=5", "limit")]
    [InlineData("offset=1", "offset")]
    [InlineData("sortby=-value", "sortby")]
    [InlineData("filter=value%20%3E%201", "filter")]
    public async Task Items_parameters_on_a_feature_are_a_400_naming_them(string parameter, string name)
    {
        var response = await server.Client().GetAsync($"/ogc/collections/samples/items/{await FirstSampleAsync()}?{parameter}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var message = (await response.JsonAsync())["errors"]![name]![0]!.GetValue<string>();
        Assert.Contains("/ogc/collections/samples/items?" + name, message);
        Assert.Contains("crs, properties, f", message);
    }

    [Fact]
    public async Task A_feature_is_geojson_and_other_formats_are_a_400_pointing_to_the_items()
    {
        var id = await FirstSampleAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync($"/ogc/collections/samples/items/{id}?f=json")).StatusCode);
        var csv = await server.Client().GetAsync($"/ogc/collections/samples/items/{id}?f=csv");
        Assert.Equal(HttpStatusCode.BadRequest, csv.StatusCode);
        var message = (await csv.JsonAsync())["errors"]!["f"]![0]!.GetValue<string>();
        Assert.Contains("json", message);
        Assert.Contains("/ogc/collections/samples/items?id=", message);
    }

    [Fact]
    public async Task A_compressed_feature_has_its_own_strong_tag_which_if_match_still_takes()
    {
        // RFC 9110 8.8.3.3: a strong validator changes with the bytes, and gzip changes them.
        var editor = server.Editor();
        var (id, _, _) = await editor.CreateAsync("samples", Infrastructure.Features.Sample(-1.9, 6.2));
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var raw = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        raw.DefaultRequestHeaders.Add("X-Api-Key", server.EditorKey);
        async Task<HttpResponseMessage> GetAsync(string? encoding, string? ifNoneMatch = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/ogc/collections/samples/items/{id}");
            if (encoding is not null) request.Headers.AcceptEncoding.ParseAdd(encoding);
            if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
            return await raw.SendAsync(request);
        }
        var plain = (await GetAsync(null)).Headers.ETag!;
        var gzipped = await GetAsync("gzip");
        Assert.Equal("gzip", gzipped.Content.Headers.ContentEncoding.Single());
        var gzipTag = gzipped.Headers.ETag!;
        Assert.False(plain.IsWeak);
        Assert.False(gzipTag.IsWeak);
        Assert.NotEqual(plain.Tag, gzipTag.Tag);
        Assert.Contains("Accept-Encoding", gzipped.Headers.Vary);
        // Both name the same version: either revalidates (weakly), and either is a strong If-Match for a write.
        Assert.Equal(HttpStatusCode.NotModified, (await GetAsync("gzip", plain.Tag)).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await GetAsync(null, gzipTag.Tag)).StatusCode);
        var patch = await editor.SendAsync(HttpMethod.Patch, $"/api/samples/{id}", new JsonObject { ["properties"] = new JsonObject { ["notes"] = "gzip" } }, gzipTag.Tag);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed,
            (await editor.SendAsync(HttpMethod.Patch, $"/api/samples/{id}", new JsonObject { ["properties"] = new JsonObject { ["notes"] = "stale" } }, gzipTag.Tag)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await editor.SendAsync(HttpMethod.Delete, $"/api/samples/{id}", ifMatch: patch.Headers.ETag!.Tag)).StatusCode);
    }
}
