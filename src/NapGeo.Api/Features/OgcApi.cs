using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NapGeo.Auth;
using NapGeo.Database;
using NapGeo.Http;
using NapGeo.Layers;

namespace NapGeo.Features;

/// <summary>
/// OGC API – Features at <c>/ogc</c>: Part 1 (core, GeoJSON, OpenAPI 3.0), Part 2 (CRS by reference), Part 3
/// (queryables, filter with cql2-text and cql2-json) and Part 5's sortables. Collections are the layers of <see cref="LayerCatalog"/>.
/// </summary>
public static class OgcApi
{
    public const string OpenApiType = "application/vnd.oai.openapi+json;version=3.0";

    public static readonly string[] ConformsTo =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/sortables", // /sortables: sortby on every queryable but the geometry
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
        "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
    ];

    public static IEndpointRouteBuilder MapOgc(this IEndpointRouteBuilder app)
    {
        var ogc = app.MapGroup("/ogc").WithTags("OGC API – Features").RequireAuthorization(ApiKeyAuthentication.ReadPolicy);
        ogc.MapGetAndHead("", Landing).WithName("OgcLanding").WithSummary("Landing page: links to the API definition, conformance and collections");
        ogc.MapGetAndHead("/conformance", Conformance).WithName("OgcConformance").WithSummary("Conformance classes this server implements");
        ogc.MapGetAndHead("/collections", Collections).WithName("OgcCollections").WithSummary("The feature collections (sites, hotspots, samples)");
        ogc.MapGetAndHead("/collections/{collectionId}", Collection).WithName("OgcCollection").WithSummary("One collection: extent, CRSs, links").ProducesProblem(404);
        ogc.MapGetAndHead("/collections/{collectionId}/queryables", QueryablesSchema).WithName("OgcQueryables")
            .WithSummary("The properties a filter, or an items query parameter, may use, as JSON Schema").ProducesProblem(404);
        ogc.MapGetAndHead("/collections/{collectionId}/sortables", SortablesSchema).WithName("OgcSortables")
            .WithSummary("The properties sortby may use, as JSON Schema").ProducesProblem(404);
        ogc.MapGetAndHead("/collections/{collectionId}/items", Items, b => b.RequireRateLimiting(DatabaseGates.Policy)).WithName("OgcItems")
            .WithSummary("Features: bbox, bbox-crs, datetime, filter (+ filter-lang cql2-text|cql2-json, filter-crs), sortby, properties, crs, limit, offset, f")
            .WithDescription($"limit 1–{ItemsQuery.MaxLimit} (default {ItemsQuery.DefaultLimit}; larger values are served as {ItemsQuery.MaxLimit}). " +
                             "f=json (GeoJSON, default), csv, ndjson (application/x-ndjson) or geojsonseq (RFC 8142); Accept works too. " +
                             "Dates are written YYYY-MM-DD; mx_t0/mx_t1 give the feature's time in Unix seconds (MapX). " +
                             "HEAD answers the headers alone (ETag, Last-Modified, OGC-NumberMatched) without reading the features.")
            .Produces(200, typeof(object), FeatureJson.ContentType, OtherFormats).Produces(304).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(406);
        ogc.MapGetAndHead("/collections/{collectionId}/items/{featureId}", SingleFeature.Get, b => b.RequireRateLimiting(DatabaseGates.Policy)).WithName("OgcItem")
            .WithSummary("One feature, with links to itself as CSV and to its collection (crs, properties, f=json)")
            .Produces(200, typeof(object), FeatureJson.ContentType).Produces(304).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(406);

        foreach (var layer in LayerCatalog.All)
            app.MapGetAndHead($"/api/{layer.Name}/export", ([AsParameters] ItemsParameters _, HttpRequest request, FeatureReader reader) => Export(layer, request, reader),
                    b => b.RequireAuthorization(ApiKeyAuthentication.ReadPolicy)) // ItemsResult takes the downloads' ExportGate
                .WithTags(layer.Title)
                .WithName($"Export{char.ToUpperInvariant(layer.Name[0])}{layer.Name[1..]}")
                .WithSummary($"Download all matching {layer.Name} as GeoJSON, CSV or NDJSON (streamed; same filters as /ogc items, no page limit)")
                .Produces(200, typeof(object), FeatureJson.ContentType, OtherFormats).Produces(304).ProducesValidationProblem().ProducesProblem(406)
                .ProducesProblem(503);
        return app;
    }

    // Declared with a type: without one, Swashbuckle writes a 200 with no content at all, so clients reading the
    // document found no media type to ask for.
    private static readonly string[] OtherFormats = ["text/csv", "application/x-ndjson", "application/geo+json-seq"];

    private static IResult Landing(HttpRequest request) => RefusedParameters(request) ?? Json(request, json =>
    {
        var b = OgcLink.Base(request);
        json.WriteString("title", "NapGeo – OGC API – Features");
        json.WriteString("description", "ASGM sites, mercury hotspots and mercury assessment samples for Minamata Convention National Action Plans.");
        json.WritePropertyName("links");
        OgcLink.WriteArray(json,
        [
            new($"{b}/ogc", "self", "application/json", "this document"),
            new($"{b}/swagger/v1/swagger.json", "service-desc", OpenApiType, "the API definition (OpenAPI 3.0)"),
            new($"{b}/swagger", "service-doc", "text/html", "the API documentation"),
            new($"{b}/ogc/conformance", "conformance", "application/json", "conformance classes"),
            new($"{b}/ogc/collections", "data", "application/json", "the collections"),
        ]);
    });

    private static IResult Conformance(HttpRequest request) => RefusedParameters(request) ?? Json(request, json =>
    {
        json.WritePropertyName("conformsTo");
        JsonSerializer.Serialize(json, ConformsTo);
    });

    private static async Task<IResult> Collections(HttpRequest request, OgcMetadata metadata, CancellationToken ct)
    {
        if (RefusedParameters(request) is { } refused) return refused;
        var descriptions = new List<OgcMetadata.Description>();
        foreach (var layer in LayerCatalog.All) descriptions.Add(await metadata.DescribeAsync(layer, ct));
        return Json(request, json =>
        {
            var b = OgcLink.Base(request);
            json.WritePropertyName("links");
            OgcLink.WriteArray(json, [new($"{b}/ogc/collections", "self", "application/json", "the collections")]);
            json.WritePropertyName("collections");
            json.WriteStartArray();
            foreach (var d in descriptions) OgcMetadata.WriteCollection(json, d, b);
            json.WriteEndArray();
            json.WritePropertyName("crs");
            JsonSerializer.Serialize(json, OgcCrs.Supported.Select(c => c.Uri));
        });
    }

    private static async Task<IResult> Collection(string collectionId, HttpRequest request, OgcMetadata metadata, CancellationToken ct)
    {
        if (LayerCatalog.Find(collectionId) is not { } layer) return UnknownCollection(collectionId);
        if (RefusedParameters(request) is { } refused) return refused;
        var d = await metadata.DescribeAsync(layer, ct);
        return Json(request, json => OgcMetadata.WriteCollectionBody(json, d, OgcLink.Base(request)));
    }

    private static IResult QueryablesSchema(string collectionId, HttpRequest request)
    {
        if (LayerCatalog.Find(collectionId) is not { } layer) return UnknownCollection(collectionId);
        if (RefusedParameters(request) is { } refused) return refused;
        return Json(request, json => OgcMetadata.WriteQueryables(json, layer, OgcLink.Base(request)), "application/schema+json");
    }

    private static IResult SortablesSchema(string collectionId, HttpRequest request)
    {
        if (LayerCatalog.Find(collectionId) is not { } layer) return UnknownCollection(collectionId);
        if (RefusedParameters(request) is { } refused) return refused;
        return Json(request, json => OgcMetadata.WriteSortables(json, layer, OgcLink.Base(request)), "application/schema+json");
    }

    /// <summary>
    /// The query parameters of items requests, declared so that the OpenAPI document lists them (OGC "oas30").
    /// They are read as text and parsed in one place, <see cref="ItemsQuery.Parse"/>, which names every bad value.
    /// </summary>
    public sealed record ItemsParameters(
        [property: FromQuery(Name = "bbox")] string? Bbox,
        [property: FromQuery(Name = "bbox-crs")] string? BboxCrs,
        [property: FromQuery(Name = "datetime")] string? Datetime,
        [property: FromQuery(Name = "filter")] string? Filter,
        [property: FromQuery(Name = "filter-lang")] string? FilterLang,
        [property: FromQuery(Name = "filter-crs")] string? FilterCrs,
        [property: FromQuery(Name = "sortby")] string? Sortby,
        [property: FromQuery(Name = "properties")] string? Properties,
        [property: FromQuery(Name = "crs")] string? Crs,
        [property: FromQuery(Name = "limit")] string? Limit,
        [property: FromQuery(Name = "offset")] string? Offset,
        [property: FromQuery(Name = "f")] string? F);

    private static IResult Items(string collectionId, [AsParameters] ItemsParameters _, HttpRequest request, FeatureReader reader)
    {
        if (LayerCatalog.Find(collectionId) is not { } layer) return UnknownCollection(collectionId);
        var errors = new ValidationErrors();
        var query = ItemsQuery.Parse(layer, request, paged: true, errors);
        return query is null ? InvalidQuery(errors) : new ItemsResult(query, reader, download: false);
    }

    private static IResult Export(LayerDefinition layer, HttpRequest request, FeatureReader reader)
    {
        var errors = new ValidationErrors();
        var query = ItemsQuery.Parse(layer, request, paged: false, errors);
        return query is null ? InvalidQuery(errors) : new ItemsResult(query, reader, download: true);
    }

    /// <summary>
    /// The landing page, conformance, collections, queryables and sortables take f=json and nothing else. Part 1
    /// (/req/core/query-param-unknown): any other parameter, or another format (f=html, f=xml), is a 400 naming it, not
    /// JSON that looks like an answer to what was asked.
    /// </summary>
    private static IResult? RefusedParameters(HttpRequest request)
    {
        var errors = new ValidationErrors();
        foreach (var name in request.Query.Keys.Where(n => !n.Equals("f", StringComparison.OrdinalIgnoreCase)))
            errors.Add(name, "is not a parameter here; this resource takes only f=json.");
        if (request.Query["f"] is { Count: > 0 } f && !f.ToString().Equals("json", StringComparison.OrdinalIgnoreCase))
            errors.Add("f", $"'{(f.ToString().Length > 20 ? f.ToString()[..20] + "…" : f.ToString())}' is not a format of this resource: it is json.");
        return errors.IsEmpty ? null : InvalidQuery(errors);
    }

    internal static ProblemHttpResult UnknownCollection(string id) =>
        Problems.Status(404, "Not found", $"There is no collection '{(id.Length > 60 ? id[..60] + "…" : id)}'; collections: {string.Join(", ", LayerCatalog.All.Select(l => l.Name))}.");

    internal static IResult InvalidQuery(ValidationErrors errors)
    {
        var all = errors.ToDictionary();
        // RFC 9110 15.5.7: nothing the client accepts can be sent.
        if (all.Count == 1 && all.TryGetValue(ItemsQuery.NotAcceptable, out var accept))
            return TypedResults.Problem(statusCode: 406, title: "Not Acceptable", detail: "Accept " + accept[0],
                extensions: new Dictionary<string, object?> { ["errors"] = all });
        var detail = all.TryGetValue("filter", out var filter) ? "Invalid filter: " + filter[0] : "The query has invalid parameters; see errors.";
        return Problems.Invalid(all, detail);
    }

    private static IResult Json(HttpRequest request, Action<Utf8JsonWriter> body, string contentType = "application/json")
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, FeatureJson.WriterOptions))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        return TypedResults.Bytes(buffer.ToArray(), contentType);
    }
}
