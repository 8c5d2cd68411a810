using System.Text.Json.Nodes;
using NapGeo.Http;

namespace NapGeo.Tiles;

/// <summary>TileJSON 3.0.0 for a tile source: URL template, zoom range, data bounds, and each MVT layer's fields.</summary>
public static class TileJson
{
    public static async Task<IResult> Get(string source, HttpRequest request, TileService service, CancellationToken ct)
    {
        if (service.Find(source) is not { } found)
            return Problems.NotFound($"Tile source '{source}' (known: {string.Join(", ", service.Sources.Keys)})");
        // Filters given to the TileJSON carry over to the tile URLs, so a filtered map is one URL.
        var errors = new Layers.ValidationErrors();
        if (TileFilter.Parse(request.Query, errors) is not { } filter)
            return Problems.Invalid(errors.ToDictionary(), "The query has invalid parameters; see errors.");
        var query = filter.Key(found.Filters);
        return TypedResults.Json(await BuildAsync(found, service, TilesApi.BaseUrl(request, service.Options), query.Length > 0 ? "?" + query : "", ct),
            contentType: "application/json");
    }

    public static async Task<JsonObject> BuildAsync(ITileSource source, TileService service, string baseUrl, string? query, CancellationToken ct)
    {
        var options = service.Options;
        var bounds = await service.BoundsAsync(source, ct) ?? new LonLatBox(-180, -85.0511, 180, 85.0511);
        var layers = new JsonArray();
        foreach (var layer in source.Layers)
        {
            var fields = new JsonObject();
            foreach (var (name, type) in layer.Fields) fields[name] = type;
            layers.Add(new JsonObject
            {
                ["id"] = layer.Id,
                ["description"] = layer.Description,
                ["minzoom"] = 0,
                ["maxzoom"] = options.MaxZoom,
                ["fields"] = fields,
            });
        }
        return new JsonObject
        {
            ["tilejson"] = "3.0.0",
            ["name"] = source.Id,
            ["description"] = source.Title,
            ["attribution"] = options.Attribution,
            ["scheme"] = "xyz",
            ["tiles"] = new JsonArray($"{baseUrl}/tiles/{source.Id}/{{z}}/{{x}}/{{y}}.mvt{query}"),
            ["minzoom"] = 0,
            ["maxzoom"] = options.MaxZoom,
            ["bounds"] = new JsonArray(bounds.West, bounds.South, bounds.East, bounds.North),
            ["center"] = new JsonArray(bounds.Center.Lon, bounds.Center.Lat, TileMath.FitZoom(bounds, 0, options.MaxZoom)),
            ["vector_layers"] = layers,
        };
    }
}
