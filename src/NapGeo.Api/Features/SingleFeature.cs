using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using NapGeo.Http;
using NapGeo.Layers;

namespace NapGeo.Features;

/// <summary>
/// <c>/ogc/collections/{collectionId}/items/{featureId}</c>: one feature, as GeoJSON, with the links Part 1 requires
/// of it (/req/geojson/single-links: self, alternate, collection).
/// </summary>
public static class SingleFeature
{
    /// <summary>The parameters of a single feature, declared so that the OpenAPI document lists them.</summary>
    public sealed record Parameters(
        [property: FromQuery(Name = "crs")] string? Crs,
        [property: FromQuery(Name = "properties")] string? Properties,
        [property: FromQuery(Name = "f")] string? F);

    private static readonly string[] Names = typeof(Parameters).GetProperties()
        .Select(p => p.GetCustomAttributes(typeof(FromQueryAttribute), false).Cast<FromQueryAttribute>().Single().Name!).ToArray();

    private static string Accepted => $"a single feature takes {string.Join(", ", Names)}";

    public static async Task<IResult> Get(string collectionId, string featureId, [AsParameters] Parameters _, HttpRequest request, FeatureReader reader,
        CancellationToken ct)
    {
        if (LayerCatalog.Find(collectionId) is not { } layer) return OgcApi.UnknownCollection(collectionId);
        var errors = new ValidationErrors();
        // A feature is not a search: bbox=, datetime= or a queryable that excluded it would answer 404 for a feature
        // that exists, and limit= or sortby= would be silently meaningless. They are errors naming where they belong.
        foreach (var name in request.Query.Keys.Where(n => !Names.Contains(n)))
            errors.Add(name, ItemsQuery.Accepts(layer, name)
                ? $"selects and pages the items (/ogc/collections/{layer.Name}/items?{name}=…); {Accepted}."
                : $"is not a parameter here; {Accepted}.");
        var once = LayerQuery.RefuseRepeated(request.Query, errors, (name, _) => Names.Contains(name) ? "" : null);
        // Only GeoJSON has room for the feature's links; CSV and the other formats are an items request away.
        if (once["f"].ToString() is { Length: > 0 } f && f.ToLowerInvariant() is not ("json" or "geojson"))
            errors.Add("f", $"'{(f.Length > 20 ? f[..20] + "…" : f)}' is not a format of a single feature: it is json (GeoJSON); " +
                            $"for CSV or NDJSON ask for /ogc/collections/{layer.Name}/items?id={{featureId}}&f=csv.");
        if (!errors.IsEmpty) return OgcApi.InvalidQuery(errors);
        var query = ItemsQuery.Parse(layer, request, paged: true, errors, oneFeature: true);
        if (query is null) return OgcApi.InvalidQuery(errors);
        if (!Guid.TryParse(featureId, out var id)) return Problems.NotFound($"{layer.Noun} {featureId}");
        var single = query with
        {
            Filter = query.Filter with { Predicates = [.. query.Filter.Predicates, ps => { ps.Add(new() { Value = id }); return $"id = ${ps.Count}"; }] },
            Limit = 1, Offset = 0, Format = OutputFormat.GeoJson, IndexChoosesPage = false,
        };
        await using var connection = await reader.OpenAsync(ct);
        if (await CrsCoverage.FindAsync(connection, single, ct) is { } refusal) return CrsCoverage.Problem(single, refusal, oneFeature: true);
        // Read before the feature: a change committed in between is then newer than the time sent, never hidden by it.
        var lastModified = await CollectionVersion.RowLastModifiedAsync(connection, layer.Name, id, ct);
        using var feature = new MemoryStream();
        var version = 0;
        await using (var json = new Utf8JsonWriter(feature, FeatureJson.WriterOptions))
        {
            await reader.ReadAsync(connection, single, (row, _) =>
            {
                version = row.GetInt32(1);
                FeatureJson.WriteFeature(json, row, layer, query.Shape);
                return ValueTask.CompletedTask;
            }, ct);
        }
        if (version == 0) return Problems.NotFound($"{layer.Noun} {featureId}");
        request.HttpContext.Response.Headers["Content-Crs"] = $"<{query.Crs.Uri}>";
        // The query string may change the body (crs, properties): it is part of the tag when there is one.
        return new FeatureResult(200, WithLinks(feature.ToArray(), Links(request, layer, id)), version,
            variant: request.QueryString.HasValue ? request.QueryString.Value : null, lastModified: lastModified);
    }

    private static IEnumerable<OgcLink> Links(HttpRequest request, LayerDefinition layer, Guid id)
    {
        var b = OgcLink.Base(request);
        // The id as the feature carries it: Guid.TryParse took upper case, no hyphens and braces too, and self repeated
        // that address, so clients and caches keying on self saw one feature as several. 200 with a canonical self rather
        // than a redirect: a browser's preflighted request (If-None-Match) and some clients do not follow one, and the
        // REST API (/api/{layer}/{id}) answers these forms too.
        yield return new(OgcLink.At(request, $"/ogc/collections/{layer.Name}/items/{id}"), "self", FeatureJson.ContentType, "this feature");
        // The same feature from the items, where CSV is served: the CRS and properties asked for carry over.
        var csv = new Dictionary<string, string?> { ["id"] = id.ToString(), ["f"] = "csv" };
        foreach (var name in (string[])["crs", "properties"])
            if (request.Query[name] is { Count: > 0 } value) csv[name] = value.ToString();
        yield return new(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"{b}/ogc/collections/{layer.Name}/items", csv),
            "alternate", ItemsResult.ContentType(OutputFormat.Csv), "this feature as CSV");
        yield return new($"{b}/ogc/collections/{layer.Name}", "collection", "application/json", layer.Title);
    }

    /// <summary>The feature as written, plus a links member: its members are copied as they are (numbers keep their text).</summary>
    private static byte[] WithLinks(byte[] feature, IEnumerable<OgcLink> links)
    {
        using var document = JsonDocument.Parse(feature);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, FeatureJson.WriterOptions))
        {
            json.WriteStartObject();
            foreach (var member in document.RootElement.EnumerateObject()) member.WriteTo(json);
            json.WritePropertyName("links");
            OgcLink.WriteArray(json, links);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
