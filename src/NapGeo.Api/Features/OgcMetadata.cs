using System.Globalization;
using System.Text.Json;
using NapGeo.Layers;
using NetTopologySuite.Geometries;
using Npgsql;

namespace NapGeo.Features;

/// <summary>Collection descriptions and queryables, derived from each <see cref="LayerDefinition"/> and the data's extent.</summary>
public sealed class OgcMetadata(NpgsqlDataSource db)
{
    public sealed record Description(LayerDefinition Layer, double[]? Bbox, string? TimeStart, string? TimeEnd);

    public async Task<Description> DescribeAsync(LayerDefinition layer, CancellationToken ct)
    {
        // The planner's estimate is instant on a large table; a fresh table without statistics is small enough to scan.
        // A feature without an end lasts its start; the start never follows its end, so the latest of ends and starts is
        // the extent's end. Aggregating the bare columns lets an index answer; the day is then taken in UTC, as the
        // datetime parameter reads it, not in the session's time zone.
        // A feature with an end but no start is open towards the past (ItemsQuery's datetime), and so is then the extent.
        var time = layer.Time is { } t
            ? $"(SELECT {UtcDay(layer, $"min({t.Start})", t.Start)}::text FROM {layer.Name}" +
              (t.End is null ? "" : $" WHERE NOT EXISTS (SELECT 1 FROM {layer.Name} WHERE {t.Start} IS NULL AND {t.End} IS NOT NULL)") + "), " +
              $"(SELECT {UtcDay(layer, t.End is null ? $"max({t.Start})" : $"greatest(max({t.End}), max({t.Start}))", t.Start)}::text FROM {layer.Name})"
            : "NULL, NULL";
        await using var cmd = db.CreateCommand(
            $"SELECT e.b::geometry, {time} FROM (SELECT coalesce(ST_EstimatedExtent('public', $1, 'geom')::box2d, " +
            $"(SELECT ST_Extent(geom) FROM {layer.Name})) AS b) e");
        cmd.Parameters.Add(new() { Value = layer.Name });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        await row.ReadAsync(ct);
        double[]? bbox = null;
        if (!row.IsDBNull(0) && row.GetFieldValue<NetTopologySuite.Geometries.Geometry>(0).EnvelopeInternal is { IsNull: false } e)
            bbox = [e.MinX, e.MinY, e.MaxX, e.MaxY];
        return new Description(layer, bbox, row.IsDBNull(1) ? null : row.GetString(1), row.IsDBNull(2) ? null : row.GetString(2));
    }

    private static string UtcDay(LayerDefinition layer, string sql, string field) =>
        layer.Find(field)!.Kind == FieldKind.Timestamp ? $"({sql} AT TIME ZONE 'UTC')::date" : $"{sql}::date";

    public static void WriteCollection(Utf8JsonWriter json, Description d, string baseUrl)
    {
        json.WriteStartObject();
        WriteCollectionBody(json, d, baseUrl);
        json.WriteEndObject();
    }

    public static void WriteCollectionBody(Utf8JsonWriter json, Description d, string baseUrl)
    {
        var layer = d.Layer;
        var self = $"{baseUrl}/ogc/collections/{layer.Name}";
        json.WriteString("id", layer.Name);
        json.WriteString("title", layer.Title);
        json.WriteString("description", $"{layer.Title}: {string.Join(", ", layer.GeometryTypes)} features with " +
                                        string.Join(", ", layer.Fields.Select(f => f.Name)) + ".");
        json.WriteString("itemType", "feature");
        json.WritePropertyName("extent");
        json.WriteStartObject();
        json.WritePropertyName("spatial");
        json.WriteStartObject();
        json.WritePropertyName("bbox");
        json.WriteStartArray();
        json.WriteStartArray();
        foreach (var v in d.Bbox ?? [-180, -90, 180, 90]) json.WriteNumberValue(Math.Round(v, 7));
        json.WriteEndArray();
        json.WriteEndArray();
        json.WriteString("crs", OgcCrs.Crs84Uri);
        json.WriteEndObject();
        if (layer.Time is not null)
        {
            json.WritePropertyName("temporal");
            json.WriteStartObject();
            json.WritePropertyName("interval");
            json.WriteStartArray();
            json.WriteStartArray();
            if (d.TimeStart is null) json.WriteNullValue(); else json.WriteStringValue(d.TimeStart + "T00:00:00Z");
            if (d.TimeEnd is null) json.WriteNullValue(); else json.WriteStringValue(d.TimeEnd + "T23:59:59Z");
            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteString("trs", "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian");
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteString("storageCrs", OgcCrs.Crs84Uri);
        json.WritePropertyName("crs");
        JsonSerializer.Serialize(json, OgcCrs.Supported.Select(c => c.Uri));
        json.WritePropertyName("links");
        OgcLink.WriteArray(json,
        [
            new(self, "self", "application/json", layer.Title),
            new($"{self}/items", "items", FeatureJson.ContentType, $"{layer.Title} as GeoJSON"),
            new($"{self}/items?f=csv", "items", ItemsResult.ContentType(OutputFormat.Csv), $"{layer.Title} as CSV"),
            new($"{self}/items?f=ndjson", "items", ItemsResult.ContentType(OutputFormat.NdJson), $"{layer.Title} as newline-delimited GeoJSON"),
            new($"{self}/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "queryables"),
            new($"{self}/sortables", "http://www.opengis.net/def/rel/ogc/1.0/sortables", "application/schema+json", "sortables"),
            new($"{baseUrl}/api/{layer.Name}/export", "enclosure", FeatureJson.ContentType, $"all {layer.Name} as one GeoJSON download"),
        ]);
    }

    private static string? TimeRole(LayerTime time, string name) =>
        time.End is null ? name == time.Start ? "primary-instant" : null
        : name == time.Start ? "primary-interval-start" : name == time.End ? "primary-interval-end" : null;

    /// <summary>The properties a filter may name (Part 3 queryables), as JSON Schema.</summary>
    public static void WriteQueryables(Utf8JsonWriter json, LayerDefinition layer, string baseUrl) =>
        WriteSchema(json, layer, $"{baseUrl}/ogc/collections/{layer.Name}/queryables", Queryables.For(layer).All);

    /// <summary>
    /// The properties sortby may name (Part 5 sortables): the queryables but the geometry, which has no order.
    /// </summary>
    public static void WriteSortables(Utf8JsonWriter json, LayerDefinition layer, string baseUrl) =>
        WriteSchema(json, layer, $"{baseUrl}/ogc/collections/{layer.Name}/sortables", Queryables.For(layer).All.Where(q => !q.IsGeometry));

    /// <summary>
    /// The field's description, and what the type alone cannot say about the values served: that they may be null, and
    /// that a feature's own timestamps (sampled_at) are written in /ogc as their UTC day, while filters compare instants.
    /// </summary>
    private static string Describe(LayerDefinition layer, Queryable q)
    {
        var text = q.Description;
        if (q.Nullable && !text.Contains("null", StringComparison.OrdinalIgnoreCase)) text += " (may be null)";
        if (layer.Find(q.Name) is { Kind: FieldKind.Timestamp })
            text += $". An instant: filters compare it as one (TIMESTAMP('2024-03-18T10:30:00Z'); a whole day is T_INTERSECTS({q.Name}, " +
                    $"DATE('2024-03-18')) or ?{q.Name}=2024-03-18), but /ogc writes it as its UTC day, 2024-03-18, as MapX reads dates; " +
                    (layer.Time?.Start == q.Name ? $"{FeatureJson.MapxStart} has the instant in Unix seconds, and " : "") +
                    $"/api/{layer.Name} writes it in full";
        return text;
    }

    private static void WriteSchema(Utf8JsonWriter json, LayerDefinition layer, string id, IEnumerable<Queryable> properties)
    {
        json.WriteString("$schema", "https://json-schema.org/draft/2020-12/schema");
        json.WriteString("$id", id);
        json.WriteString("type", "object");
        json.WriteString("title", layer.Title);
        json.WritePropertyName("properties");
        json.WriteStartObject();
        foreach (var q in properties)
        {
            json.WritePropertyName(q.Name);
            json.WriteStartObject();
            json.WriteString("description", Describe(layer, q));
            if (q.IsGeometry)
            {
                json.WriteString("format", layer.GeometryTypes.Count == 1 && layer.GeometryTypes[0] == OgcGeometryType.Point ? "geometry-point" : "geometry-any");
                json.WriteString("x-ogc-role", "primary-geometry");
            }
            else
            {
                // One type, never ["number", "null"]: QGIS (qgsoapifqueryablesrequest.cpp) drops a queryable whose type is
                // not a string, and could then no longer filter on it at the server. A null is said in the description.
                var (type, format) = q.JsonType;
                json.WriteString("type", type);
                if (format is not null) json.WriteString("format", format);
                if (q.Name == "id") json.WriteString("x-ogc-role", "id");
                if (layer.Time is { } t && TimeRole(t, q.Name) is { } role) json.WriteString("x-ogc-role", role);
                if (q.Allowed is { } allowed)
                {
                    json.WritePropertyName("enum");
                    JsonSerializer.Serialize(json, allowed);
                }
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteBoolean("additionalProperties", false);
    }
}
