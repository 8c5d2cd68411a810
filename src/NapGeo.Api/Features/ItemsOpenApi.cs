using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace NapGeo.Features;

/// <summary>
/// Gives the items and download parameters their real types in the OpenAPI document. They are bound as text (so
/// <see cref="ItemsQuery.Parse"/> can name every bad value in one 400), which Swashbuckle would describe as untyped
/// strings; clients plan from the document, e.g. GDAL's OAPIF driver sizes its pages from limit's maximum.
/// </summary>
public sealed class ItemsOpenApi : IOperationFilter
{
    private static readonly JsonNode[] CrsUris = OgcCrs.Supported.Select(c => (JsonNode)JsonValue.Create(c.Uri)).ToArray();

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.Parameters is not { } parameters) return;
        // A single feature is GeoJSON only (its links have no place in the other formats).
        if (operation.OperationId == "OgcItem" && parameters.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == "f") is { } one)
            one.Schema = Formats(["json"]);
        // bbox-crs is declared by the items and the downloads only.
        if (!parameters.Any(p => p.Name == "bbox-crs")) return;
        var paged = operation.OperationId == "OgcItems"; // downloads have no default limit and no maximum
        foreach (var parameter in parameters.OfType<OpenApiParameter>())
        {
            switch (parameter.Name)
            {
                case "limit":
                    parameter.Schema = paged
                        ? new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = Text(ItemsQuery.MaxLimit), Default = ItemsQuery.DefaultLimit }
                        : new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" };
                    break;
                case "offset":
                    parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Default = 0 };
                    break;
                case "bbox":
                    parameter.Style = ParameterStyle.Form;
                    parameter.Explode = false;
                    parameter.Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Array, MinItems = 4, MaxItems = 6,
                        Items = new OpenApiSchema { Type = JsonSchemaType.Number },
                    };
                    break;
                case "f":
                    parameter.Schema = Formats(ItemsQuery.Formats);
                    break;
                case "filter-lang":
                    parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["cql2-text", "cql2-json"], Default = "cql2-text" };
                    break;
                case "crs" or "bbox-crs" or "filter-crs":
                    parameter.Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String, Format = "uri", Enum = [.. CrsUris.Select(u => u.DeepClone())], Default = OgcCrs.Crs84Uri,
                    };
                    break;
            }
        }
    }

    // Accept chooses too (f= wins); the aliases the server also takes (geojson, jsonl, json-seq…) are left out.
    private static OpenApiSchema Formats(string[] names) =>
        new() { Type = JsonSchemaType.String, Enum = [.. names.Select(n => (JsonNode)JsonValue.Create(n))], Default = names[0] };

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
}
