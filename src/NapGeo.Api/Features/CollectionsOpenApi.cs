using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using NapGeo.Layers;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace NapGeo.Features;

/// <summary>
/// One items operation per collection in the OpenAPI document, with the collection's queryables as query parameters
/// (OGC API – Features Part 1 /rec/core/fc-filters, Part 3 queryables-query-parameters): clients plan filters from the
/// document. GDAL's OAPIF driver (3.6 at least) sends an attribute equality to the server only for a parameter it finds
/// in <c>paths["/collections/{name}/items"].get.parameters</c>, a path relative to the landing page as the OGC building
/// blocks write it, else in <c>/collections/{collectionId}/items</c>; it found neither, so <c>-where "matrix = 'soil'"</c>
/// paged through the whole layer, 10 features a request, and filtered on the client. These paths are written so, and
/// their operations carry their own <c>servers</c> (the landing page, <c>/ogc</c>), so that they still name the right URLs.
/// The parameters come from <see cref="Queryables"/>, as /queryables does: a field added to a layer appears in both.
/// </summary>
public sealed class CollectionsOpenApi : IDocumentFilter
{
    public const string ItemsPath = "/ogc/collections/{collectionId}/items";

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        if (!document.Paths.TryGetValue(ItemsPath, out var generic) || generic.Operations?.GetValueOrDefault(HttpMethod.Get) is not { } items) return;
        foreach (var layer in LayerCatalog.All)
        {
            var operation = new OpenApiOperation(items)
            {
                // On the operation, not the path item: clients (and tests) that read a path item's members as operations
                // are not surprised by a servers member there.
                Servers = [new OpenApiServer { Url = "/ogc", Description = "the OGC API – Features landing page" }],
                OperationId = "OgcItems" + char.ToUpperInvariant(layer.Name[0]) + layer.Name[1..],
                Summary = $"{layer.Title}: the items, filtered by any of their queryables as query parameters, and by the items parameters",
                Parameters =
                [
                    .. items.Parameters?.Where(p => p.In != ParameterLocation.Path) ?? [],
                    .. Queryables.For(layer).All.Where(q => !q.IsGeometry).Select(Parameter),
                ],
                Responses = WithoutNotFound(items.Responses),
            };
            document.Paths[$"/collections/{layer.Name}/items"] = new OpenApiPathItem { Operations = new() { [HttpMethod.Get] = operation } };
        }
    }

    /// <summary>The generic items' responses but its 404, for an unknown collection, which a collection's own path cannot be.</summary>
    private static OpenApiResponses WithoutNotFound(OpenApiResponses? responses)
    {
        var copy = new OpenApiResponses();
        foreach (var (status, response) in responses ?? []) if (status != "404") copy[status] = response;
        return copy;
    }

    private static OpenApiParameter Parameter(Queryable q)
    {
        var (type, format) = q.JsonType;
        var schema = new OpenApiSchema
        {
            Type = type switch { "integer" => JsonSchemaType.Integer, "number" => JsonSchemaType.Number, "boolean" => JsonSchemaType.Boolean, _ => JsonSchemaType.String },
            // A timestamp parameter takes a date too (that whole UTC day), which format date-time would forbid.
            Format = q.Kind == FieldKind.Timestamp ? null : format,
        };
        if (q.Allowed is { } allowed) schema.Enum = [.. allowed.Select(a => (JsonNode)JsonValue.Create(a))];
        return new OpenApiParameter
        {
            Name = q.Name,
            In = ParameterLocation.Query,
            Description = q.Description + (q.Kind switch
            {
                FieldKind.Timestamp => ". Equality: an RFC 3339 instant, or a date (YYYY-MM-DD, as /ogc writes it) for that whole UTC day.",
                FieldKind.Text when q.Allowed is not null => ". Equality; codes in any case.",
                _ => ". Equality.",
            }),
            Schema = schema,
        };
    }
}
