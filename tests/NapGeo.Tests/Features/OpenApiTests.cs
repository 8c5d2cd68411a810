using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>The items parameters in the OpenAPI document have their real types; the server still parses them itself.</summary>
[Collection(DemoCollection.Name)]
public sealed class OpenApiTests(DemoDataServer server)
{
    private async Task<Dictionary<string, JsonNode>> ParametersAsync(string path)
    {
        var doc = JsonNode.Parse(await server.Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        return doc["paths"]![path]!["get"]!["parameters"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!);
    }

    [Fact]
    public async Task The_api_definition_is_served_as_the_type_the_landing_page_links_it_with()
    {
        var link = (await server.Client().GetJsonAsync("/ogc"))["links"]!.AsArray().Single(l => l!["rel"]!.GetValue<string>() == "service-desc")!;
        var request = new HttpRequestMessage(HttpMethod.Get, link["href"]!.GetValue<string>());
        request.Headers.TryAddWithoutValidation("Accept", link["type"]!.GetValue<string>());
        var response = await server.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.oai.openapi+json;version=3.0", response.Content.Headers.ContentType!.ToString().Replace(" ", ""));
        Assert.Equal(link["type"]!.GetValue<string>(), response.Content.Headers.ContentType!.ToString().Replace(" ", ""));
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["openapi"]);
        // A browser, or a client asking for JSON, still gets application/json.
        Assert.Equal("application/json", (await server.Client().GetAsync("/swagger/v1/swagger.json")).Content.Headers.ContentType!.MediaType);
    }

    /// <summary>
    /// Swashbuckle answered the document before CORS and compression ran: a dashboard on another origin following the
    /// landing page's service-desc got a CORS error, and every client got 222 kB uncompressed.
    /// </summary>
    [Fact]
    public async Task The_api_definition_is_readable_from_another_origin_and_compressed()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/swagger/v1/swagger.json");
        request.Headers.Add("Origin", "https://dash.example.org");
        request.Headers.Add("Accept-Encoding", "gzip");
        var response = await server.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        var compressed = await response.Content.ReadAsByteArrayAsync();
        await using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(compressed), System.IO.Compression.CompressionMode.Decompress);
        var document = JsonNode.Parse(gzip)!;
        Assert.Equal("3.0.4", document["openapi"]!.GetValue<string>());
        Assert.True(compressed.Length * 5 < (await server.Client().GetByteArrayAsync("/swagger/v1/swagger.json")).Length);
    }

    /// <summary>
    /// The preflight of the document had no CORS headers at all; and no preflight said how long it may be reused, so a
    /// browser sending If-None-Match (not a safelisted header) preflighted nearly every request, tiles included.
    /// </summary>
    [Theory]
    [InlineData("/swagger/v1/swagger.json")]
    [InlineData("/ogc/collections/samples/items")]
    [InlineData("/tiles/samples/0/0/0.mvt")]
    public async Task A_preflight_is_answered_with_cors_headers_and_may_be_reused_for_two_hours(string path)
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", "https://dash.example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "if-none-match");
        var answer = await server.Client().SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("if-none-match", answer.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("7200", answer.Headers.GetValues("Access-Control-Max-Age").Single());
    }

    [Fact]
    public async Task Every_operation_id_is_unique()
    {
        // OpenAPI 3.0: operationIds are unique in the document (clients generate method names from them); a HEAD mapped
        // beside its GET once repeated the GET's.
        var doc = JsonNode.Parse(await server.Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        var ids = doc["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject())
            .Select(operation => operation.Value?["operationId"]?.GetValue<string>()).OfType<string>().ToList();
        Assert.NotEmpty(ids);
        Assert.Empty(ids.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public async Task Items_parameters_are_typed_with_their_limits_enums_and_defaults()
    {
        var items = await ParametersAsync("/ogc/collections/{collectionId}/items");
        var limit = items["limit"]["schema"]!;
        Assert.Equal("integer", limit["type"]!.GetValue<string>());
        Assert.Equal(1, limit["minimum"]!.GetValue<int>());
        Assert.Equal(10000, limit["maximum"]!.GetValue<int>());
        Assert.Equal(100, limit["default"]!.GetValue<int>());
        Assert.Equal("integer", items["offset"]["schema"]!["type"]!.GetValue<string>());
        Assert.Equal(0, items["offset"]["schema"]!["minimum"]!.GetValue<int>());

        var bbox = items["bbox"];
        Assert.Equal("array", bbox["schema"]!["type"]!.GetValue<string>());
        Assert.Equal("number", bbox["schema"]!["items"]!["type"]!.GetValue<string>());
        Assert.False(bbox["explode"]!.GetValue<bool>()); // form style (the default for a query parameter): 1,2,3,4
        Assert.Equal(["cql2-text", "cql2-json"], items["filter-lang"]["schema"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        foreach (var crs in (string[])["crs", "bbox-crs", "filter-crs"])
        {
            var uris = items[crs]["schema"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
            Assert.Equal(123, uris.Count); // CRS84, EPSG:4326, 3857 and 120 UTM zones
            Assert.Contains("http://www.opengis.net/def/crs/EPSG/0/32630", uris);
        }

        // A download has no page: its limit has neither a default nor a maximum.
        var export = (await ParametersAsync("/api/samples/export"))["limit"]["schema"]!.AsObject();
        Assert.Equal("integer", export["type"]!.GetValue<string>());
        Assert.False(export.ContainsKey("maximum") || export.ContainsKey("default"));
    }

    /// <summary>The 200s were declared without a type, so the document listed no media type for them, and a 406 not at all.</summary>
    [Theory]
    [InlineData("/ogc/collections/{collectionId}/items", "application/geo+json,text/csv,application/x-ndjson,application/geo+json-seq")]
    [InlineData("/api/samples/export", "application/geo+json,text/csv,application/x-ndjson,application/geo+json-seq")]
    [InlineData("/ogc/collections/{collectionId}/items/{featureId}", "application/geo+json")]
    public async Task Items_and_a_feature_declare_their_media_types_and_the_406(string path, string mediaTypes)
    {
        var doc = JsonNode.Parse(await server.Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        var responses = doc["paths"]![path]!["get"]!["responses"]!.AsObject();
        Assert.Equal(mediaTypes.Split(','), responses["200"]!["content"]!.AsObject().Select(c => c.Key));
        Assert.Equal("application/problem+json", responses["406"]!["content"]!.AsObject().Single().Key);
        Assert.True(responses.ContainsKey("304"));
    }

    /// <summary>
    /// Each collection has its own items path, relative to the landing page as GDAL looks it up, with the collection's
    /// queryables as typed query parameters: the same names and types as /queryables, and the codes as enums.
    /// </summary>
    [Theory]
    [InlineData("sites")]
    [InlineData("hotspots")]
    [InlineData("samples")]
    public async Task Each_collection_declares_its_queryables_as_typed_query_parameters(string collection)
    {
        var doc = JsonNode.Parse(await server.Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        var path = doc["paths"]![$"/collections/{collection}/items"]!;
        var get = path["get"]!;
        Assert.Equal("/ogc", get["servers"]!.AsArray().Single()!["url"]!.GetValue<string>());
        Assert.Equal("OgcItems" + char.ToUpperInvariant(collection[0]) + collection[1..], get["operationId"]!.GetValue<string>());
        var parameters = get["parameters"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!);
        Assert.All(parameters.Values, p => Assert.Equal("query", p["in"]!.GetValue<string>()));
        // Every items parameter of the generic path, but the collection id, which is in the path itself.
        var generic = await ParametersAsync("/ogc/collections/{collectionId}/items");
        Assert.Equal(generic.Keys.Where(k => k != "collectionId").Order(), parameters.Keys.Where(generic.ContainsKey).Order());

        var queryables = (await server.Client().GetJsonAsync($"/ogc/collections/{collection}/queryables"))["properties"]!.AsObject();
        var declared = parameters.Keys.Where(k => !generic.ContainsKey(k)).ToList();
        Assert.Equal(queryables.Select(q => q.Key).Where(k => k != "geometry").Order(), declared.Order());
        foreach (var name in declared)
        {
            var schema = parameters[name]["schema"]!;
            Assert.Equal(queryables[name]!["type"]!.ToJsonString(), schema["type"]!.ToJsonString());
            Assert.Equal(queryables[name]!["enum"]?.ToJsonString(), schema["enum"]?.ToJsonString());
        }
        if (collection == "samples")
        {
            Assert.Equal(["soil", "sediment", "tailings", "water", "air", "fish", "hair", "urine", "blood", "other"],
                parameters["matrix"]["schema"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
            Assert.Equal("number", parameters["value"]["schema"]!["type"]!.GetValue<string>());
            Assert.Equal("boolean", parameters["below_detection"]["schema"]!["type"]!.GetValue<string>());
            Assert.Equal("uuid", parameters["site_id"]["schema"]!["format"]!.GetValue<string>());
        }
    }

    /// <summary>f had no enum, and the 404 of an unknown collection was not declared where it can happen.</summary>
    [Theory]
    [InlineData("/ogc/collections/{collectionId}/items", "json,csv,ndjson,geojsonseq", true)]
    [InlineData("/collections/samples/items", "json,csv,ndjson,geojsonseq", false)] // a collection's own path cannot miss it
    [InlineData("/api/samples/export", "json,csv,ndjson,geojsonseq", false)]
    [InlineData("/ogc/collections/{collectionId}/items/{featureId}", "json", true)]
    [InlineData("/ogc/collections/{collectionId}", null, true)]
    [InlineData("/ogc/collections/{collectionId}/queryables", null, true)]
    [InlineData("/ogc/collections/{collectionId}/sortables", null, true)]
    public async Task Formats_are_an_enum_and_a_404_is_declared_where_it_can_happen(string path, string? formats, bool notFound)
    {
        var doc = JsonNode.Parse(await server.Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        var get = doc["paths"]![path]!["get"]!;
        if (formats is not null)
        {
            var f = get["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "f")!["schema"]!;
            Assert.Equal(formats.Split(','), f["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
            Assert.Equal("json", f["default"]!.GetValue<string>());
        }
        var responses = get["responses"]!.AsObject();
        Assert.Equal(notFound, responses.ContainsKey("404"));
        if (notFound) Assert.Equal("application/problem+json", responses["404"]!["content"]!.AsObject().Single().Key);
    }

    [Fact]
    public async Task The_server_still_names_bad_values_itself()
    {
        var response = await server.Client().GetAsync("/ogc/collections/samples/items?limit=ten&bbox=1,2,3");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync())["errors"]!;
        Assert.Equal("must be a whole number of at least 1.", errors["limit"]![0]!.GetValue<string>());
        Assert.StartsWith("must be four numbers", errors["bbox"]![0]!.GetValue<string>());
    }
}
