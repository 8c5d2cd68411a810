using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Assessment;

/// <summary>Builders for the assessment tests: samples placed by metres east/north of an origin.</summary>
internal static class Fixture
{
    /// <summary>Degrees for <paramref name="east"/> and <paramref name="north"/> metres from (lon, lat); exact enough well inside a DBSCAN eps.</summary>
    public static (double Lon, double Lat) Offset(double lon, double lat, double east, double north) =>
        (lon + east / (111320 * Math.Cos(lat * Math.PI / 180)), lat + north / 110574);

    public static JsonObject Sample(string id, string campaign, (double Lon, double Lat) at, string matrix, double? value, string unit,
        string sampledAt = "2024-05-02", bool belowDetection = false, double? detectionLimit = null) =>
        Feature(Point(at.Lon, at.Lat), new JsonObject
        {
            ["external_id"] = id,
            ["campaign"] = campaign,
            ["matrix"] = matrix,
            ["value"] = value,
            ["unit"] = unit,
            ["below_detection"] = belowDetection,
            ["detection_limit"] = detectionLimit,
            ["sampled_at"] = sampledAt,
        });

    public static async Task<JsonObject> PropertiesAsync(this HttpClient client, string layer, Guid id) =>
        (await (await client.GetAsync($"/api/{layer}/{id}")).JsonAsync())["properties"]!.AsObject();

    public static async Task<JsonObject> OkJsonAsync(this HttpResponseMessage response)
    {
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {json.ToJsonString()}");
        return json;
    }
}
