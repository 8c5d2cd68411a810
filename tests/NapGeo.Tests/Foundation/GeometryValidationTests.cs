using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

[Collection(ApiCollection.Name)]
public sealed class GeometryValidationTests(NapGeoServer server)
{
    private static JsonObject Polygon(params double[][] ring) => new()
    {
        ["type"] = "Polygon",
        ["coordinates"] = new JsonArray(new JsonArray(ring.Select(p => (JsonNode)new JsonArray(p[0], p[1])).ToArray())),
    };

    public static TheoryData<string, string, string> InvalidGeometries => new()
    {
        { "self-intersection", """{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}""", "Self-intersection at (0.5, 0.5)" },
        { "unclosed ring", """{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}""", "geometry.coordinates[0] is not closed" },
        { "longitude 200", """{"type":"Polygon","coordinates":[[[200,0],[201,0],[201,1],[200,0]]]}""", "coordinate 0 (200, 0) is outside longitude" },
        { "wrong type", """{"type":"Point","coordinates":[1,1]}""", "geometry type Point is not accepted here; use Polygon or MultiPolygon" },
        { "empty", """{"type":"Polygon","coordinates":[]}""", "geometry.coordinates is empty" },
        { "too few positions", """{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}""", "a ring needs at least 4" },
        { "strings as numbers", """{"type":"Polygon","coordinates":[[["0","0"],[1,0],[1,1],["0","0"]]]}""", "must be a position" },
        { "collection", """{"type":"GeometryCollection","geometries":[]}""", "GeometryCollection is not accepted" },
    };

    [Theory]
    [MemberData(nameof(InvalidGeometries))]
    public async Task Invalid_site_geometry_is_rejected_with_the_reason_and_nothing_is_stored(string name, string geometry, string expected)
    {
        var code = Unique("BAD-" + name.Replace(' ', '-'));
        var site = Site(code);
        site["geometry"] = JsonNode.Parse(geometry);
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/sites", site);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var messages = (await response.JsonAsync())["errors"]!["geometry"]!.AsArray().Select(m => m!.GetValue<string>());
        Assert.Contains(messages, m => m.Contains(expected));
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM sites WHERE site_code = $1", code));
    }

    [Fact]
    public async Task Repair_true_fixes_a_bow_tie_into_a_valid_multipolygon()
    {
        var site = Site();
        site["geometry"] = Polygon([0, 0], [1, 1], [1, 0], [0, 1], [0, 0]);
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/sites?repair=true", site);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = Guid.Parse((await response.JsonAsync())["id"]!.GetValue<string>());
        Assert.True(await server.Database.ScalarAsync<bool>("SELECT ST_IsValid(geom) FROM sites WHERE id = $1", id));
        Assert.Equal(0.5, await server.Database.ScalarAsync<double>("SELECT ST_Area(geom) FROM sites WHERE id = $1", id), 9);
    }

    [Fact]
    public async Task Output_follows_the_right_hand_rule_even_for_clockwise_input()
    {
        var site = Site();
        site["geometry"] = Polygon([10, 10], [10, 11], [11, 11], [11, 10], [10, 10]); // clockwise
        var (id, _, json) = await server.Editor().CreateAsync("sites", site);
        var ring = json["geometry"]!["coordinates"]![0]![0]!.AsArray().Select(p => (X: p![0]!.GetValue<double>(), Y: p[1]!.GetValue<double>())).ToList();
        var signedArea = 0.0;
        for (var i = 0; i < ring.Count - 1; i++) signedArea += ring[i].X * ring[i + 1].Y - ring[i + 1].X * ring[i].Y;
        Assert.True(signedArea > 0, "exterior ring must be counter-clockwise (RFC 7946 right-hand rule)");
        Assert.Equal(1.0, await server.Database.ScalarAsync<double>("SELECT ST_Area(geom) FROM sites WHERE id = $1", id), 9);
    }

    [Fact]
    public async Task Sample_must_be_a_point_and_missing_geometry_is_named()
    {
        var sample = Sample(1, 1);
        sample["geometry"] = Square(1, 1);
        var wrong = await server.Editor().SendAsync(HttpMethod.Post, "/api/samples", sample);
        Assert.Contains("use Point", (await wrong.JsonAsync())["errors"]!["geometry"]![0]!.GetValue<string>());

        sample.Remove("geometry");
        var missing = await server.Editor().SendAsync(HttpMethod.Post, "/api/samples", sample);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("is required", (await missing.JsonAsync())["errors"]!["geometry"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Elevation_from_a_GPS_unit_is_dropped_and_the_point_stored_in_2D()
    {
        var sample = Sample(0, 0);
        sample["geometry"] = JsonNode.Parse("""{"type":"Point","coordinates":[-1.75, 5.92, 212.5]}""");
        var (id, _, json) = await server.Editor().CreateAsync("samples", sample);
        Assert.Equal(2, json["geometry"]!["coordinates"]!.AsArray().Count);
        Assert.Equal(2, await server.Database.ScalarAsync<short>("SELECT ST_NDims(geom) FROM samples WHERE id = $1", id));
    }
}
