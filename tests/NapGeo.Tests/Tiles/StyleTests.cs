using System.Text.Json.Nodes;
using static NapGeo.Tests.Tiles.TilesServer;

namespace NapGeo.Tests.Tiles;

/// <summary>The MapLibre style, checked by the style specification's own validator (gl-style-validate).</summary>
[Collection(TilesCollection.Name)]
public sealed class StyleTests(TilesServer server)
{
    [Fact]
    public async Task The_style_is_valid_MapLibre_and_uses_the_napgeo_TileJson()
    {
        var style = await server.JsonAsync("/styles/napgeo.json");
        var file = Path.Combine(Path.GetTempPath(), $"napgeo-style-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, style.ToJsonString());
        try
        {
            var validator = Path.Combine(NodeTools(), "node_modules", ".bin", "gl-style-validate");
            Assert.True(File.Exists(validator), "npm packages missing: ./napgeo installs them at build time (npm ci in tests/NapGeo.Tests/Tiles/node)");
            Assert.Equal("", (await RunAsync(validator, file)).Trim());
        }
        finally
        {
            File.Delete(file);
        }

        Assert.Equal($"{server.BaseAddress.ToString().TrimEnd('/')}/tiles/napgeo.json", (string?)style["sources"]!["napgeo"]!["url"]);
        var layers = style["layers"]!.AsArray().ToDictionary(l => (string)l!["id"]!);
        Assert.Equal("status", (string?)layers["sites-fill"]!["paint"]!["fill-color"]![1]![1]);
        Assert.Equal("severity", (string?)layers["hotspots-fill"]!["paint"]!["fill-color"]![1]![1]);
        // Samples: by exceedance class where a sample has one, else by matrix.
        var colour = layers["samples-points"]!["paint"]!["circle-color"]!.AsArray();
        Assert.Equal("case", (string?)colour[0]);
        Assert.Equal("""["has","exceedance_class"]""", colour[1]!.ToJsonString());
        Assert.Equal("exceedance_class", (string?)colour[2]![1]![1]);
        Assert.Equal("matrix", (string?)colour[3]![1]![1]);
        Assert.Contains("critical", colour[2]!.AsArray().Select(n => n is JsonValue v ? v.ToString() : null));
    }
}
