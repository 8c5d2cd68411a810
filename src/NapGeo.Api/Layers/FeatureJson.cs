using System.Data.Common;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace NapGeo.Layers;

/// <summary>
/// Writes rows selected with <see cref="LayerSql.SelectColumns"/> as RFC 7946 Features. PostGIS renders the
/// geometry (right-hand winding, lon/lat), so it is copied through without being parsed again.
/// </summary>
public static class FeatureJson
{
    public const string ContentType = "application/geo+json";

    /// <summary>Non-ASCII text (µg/L, place names) is written as is; HTML-significant characters stay escaped.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    public static void WriteFeature(Utf8JsonWriter writer, DbDataReader row, LayerDefinition layer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Feature");
        writer.WriteString("id", row.GetGuid(0));
        writer.WritePropertyName("geometry");
        writer.WriteRawValue(row.GetString(4), skipInputValidation: true);
        writer.WritePropertyName("properties");
        writer.WriteStartObject();
        for (var i = 0; i < layer.Fields.Count; i++)
            WriteValue(writer, layer.Fields[i], row, LayerSql.FirstFieldOrdinal + i);
        writer.WriteString("created_at", Timestamp(row.GetFieldValue<DateTime>(2)));
        writer.WriteString("updated_at", Timestamp(row.GetFieldValue<DateTime>(3)));
        writer.WriteNumber("version", row.GetInt32(1));
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, Field field, DbDataReader row, int ordinal)
    {
        writer.WritePropertyName(field.Name);
        if (row.IsDBNull(ordinal)) { writer.WriteNullValue(); return; }
        switch (field.Kind)
        {
            case FieldKind.Text: writer.WriteStringValue(row.GetString(ordinal)); break;
            case FieldKind.Integer: writer.WriteNumberValue(row.GetInt32(ordinal)); break;
            case FieldKind.Number: writer.WriteNumberValue(row.GetDouble(ordinal)); break;
            case FieldKind.Boolean: writer.WriteBooleanValue(row.GetBoolean(ordinal)); break;
            case FieldKind.Date: writer.WriteStringValue(row.GetFieldValue<DateOnly>(ordinal).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case FieldKind.Timestamp: writer.WriteStringValue(Timestamp(row.GetFieldValue<DateTime>(ordinal))); break;
            case FieldKind.Uuid: writer.WriteStringValue(row.GetGuid(ordinal)); break;
            default: throw new InvalidOperationException($"Field kind {field.Kind} has no JSON form");
        }
    }

    /// <summary>UTC, second precision, with a Z: what JavaScript's Date and spreadsheets read alike.</summary>
    public static string Timestamp(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads the typed field values of one row, for a merge patch to start from.</summary>
    public static Dictionary<string, object?> ReadValues(DbDataReader row, LayerDefinition layer)
    {
        var values = new Dictionary<string, object?>(layer.Fields.Count);
        for (var i = 0; i < layer.Fields.Count; i++)
        {
            var field = layer.Fields[i];
            var ordinal = LayerSql.FirstFieldOrdinal + i;
            values[field.Name] = row.IsDBNull(ordinal) ? null : field.Kind switch
            {
                FieldKind.Text => row.GetString(ordinal),
                FieldKind.Integer => row.GetInt32(ordinal),
                FieldKind.Number => row.GetDouble(ordinal),
                FieldKind.Boolean => row.GetBoolean(ordinal),
                FieldKind.Date => row.GetFieldValue<DateOnly>(ordinal),
                FieldKind.Timestamp => row.GetFieldValue<DateTime>(ordinal),
                FieldKind.Uuid => row.GetGuid(ordinal),
                _ => throw new InvalidOperationException($"Field kind {field.Kind} has no CLR form"),
            };
        }
        return values;
    }
}
