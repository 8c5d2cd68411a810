using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace NapGeo.Tests.Infrastructure;

/// <summary>Builders for the GeoJSON features the tests send, and small HTTP helpers.</summary>
public static class Features
{
    public static JsonObject Feature(JsonNode geometry, JsonObject properties) =>
        new() { ["type"] = "Feature", ["geometry"] = geometry, ["properties"] = properties };

    public static JsonObject Point(double lon, double lat) =>
        new() { ["type"] = "Point", ["coordinates"] = new JsonArray(lon, lat) };

    /// <summary>An axis-aligned square, counter-clockwise, <paramref name="size"/> degrees wide.</summary>
    public static JsonObject Square(double lon, double lat, double size = 0.01) => new()
    {
        ["type"] = "Polygon",
        ["coordinates"] = new JsonArray(new JsonArray(
            new JsonArray(lon, lat), new JsonArray(lon + size, lat), new JsonArray(lon + size, lat + size),
            new JsonArray(lon, lat + size), new JsonArray(lon, lat))),
    };

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    public static JsonObject Site(string? code = null, double lon = -1.9, double lat = 5.3) => Feature(Square(lon, lat), new JsonObject
    {
        ["site_code"] = code ?? Unique("T"),
        ["name"] = "Test site",
        ["country"] = "GHA",
        ["admin1"] = "Western",
        ["status"] = "active",
        ["whole_ore_amalgamation"] = true,
        ["miners_total"] = 120,
        ["miners_women"] = 40,
        ["mercury_use_kg_yr"] = 12.5,
        ["survey_date"] = "2024-03-01",
    });

    public static JsonObject Sample(double lon, double lat, string matrix = "soil", double? value = 1.2, string unit = "mg/kg", string? id = null) =>
        Feature(Point(lon, lat), new JsonObject
        {
            ["external_id"] = id ?? Unique("S"),
            ["campaign"] = "TEST",
            ["matrix"] = matrix,
            ["value"] = value,
            ["unit"] = unit,
            ["sampled_at"] = "2024-05-02",
        });

    public static JsonObject Hotspot(JsonNode geometry, string name = "Burning shed") => Feature(geometry, new JsonObject
    {
        ["name"] = name,
        ["kind"] = "amalgam_burning",
        ["severity"] = "high",
        ["first_observed"] = "2024-01-10",
        ["last_observed"] = "2024-06-10",
    });

    public static StringContent Body(JsonNode node, string contentType = "application/geo+json") =>
        new(node.ToJsonString(), Encoding.UTF8, contentType);

    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string path, JsonNode? body = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = Body(body);
        if (ifMatch is not null) request.Headers.IfMatch.Add(ifMatch == "*" ? EntityTagHeaderValue.Any : EntityTagHeaderValue.Parse(ifMatch));
        return await client.SendAsync(request);
    }

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>Creates a feature and returns its id and ETag; fails the test with the server's answer otherwise.</summary>
    /// <summary>numberMatched of an OGC items page with <paramref name="filter"/>; any answer but a 200 fails the test, naming the filter.</summary>
    public static async Task<long> FilterMatchedAsync(this HttpClient client, string collection, string filter, string lang = "cql2-text")
    {
        var response = await client.GetAsync($"/ogc/collections/{collection}/items?limit=1&filter-lang={lang}&filter={Uri.EscapeDataString(filter)}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"{filter}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["numberMatched"]!.GetValue<long>();
    }

    public static async Task<(Guid Id, string ETag, JsonObject Json)> CreateAsync(this HttpClient client, string layer, JsonObject feature)
    {
        var response = await client.SendAsync(HttpMethod.Post, $"/api/{layer}", feature);
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"create {layer}: {(int)response.StatusCode} {json.ToJsonString()}");
        return (Guid.Parse(json["id"]!.GetValue<string>()), response.Headers.ETag!.Tag, json);
    }
}
