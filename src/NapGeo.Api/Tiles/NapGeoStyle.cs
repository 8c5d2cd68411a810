using System.Text.Json.Nodes;
using NapGeo.Layers;

namespace NapGeo.Tiles;

/// <summary>
/// The MapLibre style for the <c>napgeo</c> tiles: sites filled by status, hotspots by severity, samples clustered
/// at low zoom and otherwise coloured by exceedance class where a sample has one, else by matrix. Colour
/// expressions list only the values the layer definitions allow.
/// </summary>
public static class NapGeoStyle
{
    private const string Grey = "#9e9e9e";
    private static readonly Dictionary<string, string> Palette = new()
    {
        // sites.status
        ["active"] = "#c51b7d", ["inactive"] = "#3690c0", ["abandoned"] = "#7570b3", ["unknown"] = "#bdbdbd",
        // hotspots.severity
        ["low"] = "#fed976", ["medium"] = "#fd8d3c", ["high"] = "#e31a1c", ["critical"] = "#800026",
        // samples.exceedance_class
        ["below"] = "#1a9850", ["above"] = "#fee08b",
        // samples.matrix
        ["soil"] = "#8c510a", ["sediment"] = "#bf812d", ["tailings"] = "#dfc27d", ["water"] = "#2166ac", ["air"] = "#92c5de",
        ["fish"] = "#35978f", ["hair"] = "#762a83", ["urine"] = "#c2a5cf", ["blood"] = "#b2182b", ["other"] = "#4d4d4d",
    };

    // Exceedance classes share names with severities; samples use their own, stronger scale.
    private static readonly Dictionary<string, string> ExceedancePalette = new()
    {
        ["below"] = "#1a9850", ["above"] = "#fee08b", ["high"] = "#f46d43", ["critical"] = "#a50026",
    };

    public static IResult Get(HttpRequest request, TileService service) =>
        TypedResults.Json(Build(TilesApi.BaseUrl(request, service.Options), service.Options), contentType: "application/json");

    public static JsonObject Build(string baseUrl, TileOptions options)
    {
        var exceedance = LayerCatalog.Find("samples")?.Find("exceedance_class")?.Allowed ?? ["below", "above", "high", "critical"];
        var sampleColour = new JsonArray("case",
            new JsonArray("has", "exceedance_class"), Match("exceedance_class", exceedance, ExceedancePalette),
            Match("matrix", Allowed("samples", "matrix")));
        return new JsonObject
        {
            ["version"] = 8,
            ["name"] = "NapGeo",
            ["metadata"] = new JsonObject { ["napgeo:cluster_below_zoom"] = options.ClusterBelowZoom },
            ["sources"] = new JsonObject
            {
                [TileService.AllLayersSource] = new JsonObject { ["type"] = "vector", ["url"] = $"{baseUrl}/tiles/{TileService.AllLayersSource}.json" },
            },
            ["layers"] = new JsonArray(
                new JsonObject { ["id"] = "background", ["type"] = "background", ["paint"] = new JsonObject { ["background-color"] = "#f4f1ea" } },
                Layer("sites-fill", "fill", "sites", null, new JsonObject
                {
                    ["fill-color"] = Match("status", Allowed("sites", "status")),
                    ["fill-opacity"] = 0.55,
                }),
                Layer("sites-outline", "line", "sites", null, new JsonObject { ["line-color"] = "#5d4037", ["line-width"] = 1 }),
                Layer("hotspots-fill", "fill", "hotspots", new JsonArray("==", new JsonArray("geometry-type"), "Polygon"), new JsonObject
                {
                    ["fill-color"] = Match("severity", Allowed("hotspots", "severity")),
                    ["fill-opacity"] = 0.7,
                }),
                Layer("hotspots-point", "circle", "hotspots", new JsonArray("==", new JsonArray("geometry-type"), "Point"), new JsonObject
                {
                    ["circle-color"] = Match("severity", Allowed("hotspots", "severity")),
                    ["circle-radius"] = 6,
                    ["circle-stroke-color"] = "#ffffff",
                    ["circle-stroke-width"] = 1,
                }),
                Layer("samples-clusters", "circle", "samples", new JsonArray("has", "point_count"), new JsonObject
                {
                    ["circle-color"] = sampleColour.DeepClone(),
                    ["circle-radius"] = new JsonArray("interpolate", new JsonArray("linear"), new JsonArray("get", "point_count"), 1, 4, 100, 10, 10000, 22),
                    ["circle-opacity"] = 0.8,
                    ["circle-stroke-color"] = "#ffffff",
                    ["circle-stroke-width"] = 1,
                }),
                Layer("samples-points", "circle", "samples", new JsonArray("!", new JsonArray("has", "point_count")), new JsonObject
                {
                    ["circle-color"] = sampleColour,
                    ["circle-radius"] = 5,
                    ["circle-stroke-color"] = "#333333",
                    ["circle-stroke-width"] = 0.5,
                })),
        };
    }

    private static IReadOnlyList<string> Allowed(string layer, string field) => LayerCatalog.Find(layer)?.Find(field)?.Allowed ?? [];

    private static JsonNode Match(string property, IReadOnlyList<string> values, IReadOnlyDictionary<string, string>? palette = null)
    {
        palette ??= Palette;
        var coloured = values.Where(palette.ContainsKey).ToList();
        if (coloured.Count == 0) return Grey;
        var match = new JsonArray("match", new JsonArray("get", property));
        foreach (var v in coloured) { match.Add(v); match.Add(palette[v]); }
        match.Add(Grey);
        return match;
    }

    private static JsonObject Layer(string id, string type, string sourceLayer, JsonArray? filter, JsonObject paint)
    {
        var layer = new JsonObject { ["id"] = id, ["type"] = type, ["source"] = TileService.AllLayersSource, ["source-layer"] = sourceLayer };
        if (filter is not null) layer["filter"] = filter;
        layer["paint"] = paint;
        return layer;
    }
}
