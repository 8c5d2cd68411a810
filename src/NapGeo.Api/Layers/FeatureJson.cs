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

    // Names encoded once: a page writes each of them once per feature.
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type"), FeatureType = JsonEncodedText.Encode("Feature"),
        IdName = JsonEncodedText.Encode("id"), GeometryName = JsonEncodedText.Encode("geometry"),
        PropertiesName = JsonEncodedText.Encode("properties"), CreatedAtName = JsonEncodedText.Encode("created_at"),
        UpdatedAtName = JsonEncodedText.Encode("updated_at"), VersionName = JsonEncodedText.Encode("version"),
        MapxStartName = JsonEncodedText.Encode(MapxStart), MapxEndName = JsonEncodedText.Encode(MapxEnd);

    public static void WriteFeature(Utf8JsonWriter writer, DbDataReader row, LayerDefinition layer) =>
        WriteFeature(writer, row, layer, FeatureShape.Full);

    /// <summary>Writes one feature with the properties and date style of <paramref name="shape"/>.</summary>
    public static void WriteFeature(Utf8JsonWriter writer, DbDataReader row, LayerDefinition layer, FeatureShape shape)
    {
        writer.WriteStartObject();
        writer.WriteString(TypeName, FeatureType);
        writer.WriteString(IdName, row.GetGuid(0));
        writer.WritePropertyName(GeometryName);
        writer.WriteRawValue(row.GetString(4), skipInputValidation: true);
        writer.WritePropertyName(PropertiesName);
        writer.WriteStartObject();
        var names = layer.JsonNames;
        for (var i = 0; i < layer.Fields.Count; i++)
            if (shape.Includes(layer.Fields[i].Name))
            {
                writer.WritePropertyName(names[i]);
                WriteValue(writer, layer.Fields[i], row, LayerSql.FirstFieldOrdinal + i, shape.DatesOnly);
            }
        if (shape.Includes("created_at")) WriteTimestamp(writer, CreatedAtName, row.GetFieldValue<DateTime>(2));
        if (shape.Includes("updated_at")) WriteTimestamp(writer, UpdatedAtName, row.GetFieldValue<DateTime>(3));
        if (shape.Includes("version")) writer.WriteNumber(VersionName, row.GetInt32(1));
        if (shape.MapxTime && layer.Time is { } time)
        {
            var (t0, t1) = MapxTimes(row, layer, time);
            if (shape.Includes(MapxStart)) WriteNullable(writer, MapxStartName, t0);
            if (shape.Includes(MapxEnd)) WriteNullable(writer, MapxEndName, t1);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>MapX's time properties: the start and end of a feature's time as Unix seconds.</summary>
    public const string MapxStart = "mx_t0";
    public const string MapxEnd = "mx_t1";

    private static void WriteNullable(Utf8JsonWriter writer, JsonEncodedText name, long? value)
    {
        if (value is { } v) writer.WriteNumber(name, v);
        else writer.WriteNull(name);
    }

    /// <summary>
    /// A feature's time for MapX: from its start to its end, a missing end meaning the start. A date ends with its day
    /// (23:59:59 UTC): as midnight, a hotspot last seen on the 19th fell out of a MapX window opening at noon that day.
    /// </summary>
    public static (long? T0, long? T1) MapxTimes(DbDataReader row, LayerDefinition layer, LayerTime time)
    {
        var t0 = UnixSeconds(row, layer, time.Start);
        var end = time.End is { } endField && UnixSeconds(row, layer, endField) is not null ? endField : time.Start;
        var t1 = UnixSeconds(row, layer, end);
        if (t1 is not null && layer.Find(end)!.Kind == FieldKind.Date) t1 += 86_399;
        return (t0, t1);
    }

    /// <summary>Unix seconds of a date (midnight UTC) or timestamp field of the row; null when the value is null.</summary>
    public static long? UnixSeconds(DbDataReader row, LayerDefinition layer, string fieldName)
    {
        var index = IndexOf(layer, fieldName);
        var ordinal = LayerSql.FirstFieldOrdinal + index;
        if (row.IsDBNull(ordinal)) return null;
        return layer.Fields[index].Kind switch
        {
            FieldKind.Date => new DateTimeOffset(row.GetFieldValue<DateOnly>(ordinal).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds(),
            FieldKind.Timestamp => new DateTimeOffset(DateTime.SpecifyKind(row.GetFieldValue<DateTime>(ordinal), DateTimeKind.Utc)).ToUnixTimeSeconds(),
            _ => throw new InvalidOperationException($"{layer.Name}.{fieldName} is not a date or timestamp field"),
        };
    }

    private static int IndexOf(LayerDefinition layer, string fieldName)
    {
        for (var i = 0; i < layer.Fields.Count; i++)
            if (layer.Fields[i].Name == fieldName) return i;
        throw new InvalidOperationException($"{layer.Name} has no field {fieldName}");
    }

    private static void WriteValue(Utf8JsonWriter writer, Field field, DbDataReader row, int ordinal, bool datesOnly)
    {
        if (row.IsDBNull(ordinal)) { writer.WriteNullValue(); return; }
        switch (field.Kind)
        {
            case FieldKind.Text: writer.WriteStringValue(row.GetString(ordinal)); break;
            case FieldKind.Integer: writer.WriteNumberValue(row.GetInt32(ordinal)); break;
            case FieldKind.Number: WriteReal(writer, row.GetDouble(ordinal)); break;
            case FieldKind.Boolean: writer.WriteBooleanValue(row.GetBoolean(ordinal)); break;
            case FieldKind.Date: WriteDate(writer, row.GetFieldValue<DateOnly>(ordinal)); break;
            case FieldKind.Timestamp when datesOnly: WriteDate(writer, DateOnly.FromDateTime(row.GetFieldValue<DateTime>(ordinal).ToUniversalTime())); break;
            case FieldKind.Timestamp: WriteTimestamp(writer, row.GetFieldValue<DateTime>(ordinal)); break;
            case FieldKind.Uuid: writer.WriteStringValue(row.GetGuid(ordinal)); break;
            default: throw new InvalidOperationException($"Field kind {field.Kind} has no JSON form");
        }
    }

    /// <summary>
    /// A real number that reads as one: 176 is written 176.0, so clients that guess a column's type from the first
    /// values (GDAL, spreadsheets) do not make a real-valued field an integer and truncate the values after it.
    /// </summary>
    public static string Real(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.AsSpan().IndexOfAny(".Ee") >= 0 ? text : text + ".0";
    }

    private const string DateFormat = "yyyy-MM-dd";
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>The UTC calendar date, YYYY-MM-DD.</summary>
    public static string Date(DateTime utc) => utc.ToUniversalTime().ToString(DateFormat, CultureInfo.InvariantCulture);

    /// <summary>UTC, second precision, with a Z: what JavaScript's Date and spreadsheets read alike.</summary>
    public static string Timestamp(DateTime utc) => utc.ToUniversalTime().ToString(TimestampFormat, CultureInfo.InvariantCulture);

    // The writers below format into the stack: a page of features would otherwise allocate a string per value. The
    // standard formats "O" (a DateOnly's yyyy-MM-dd) and "s" (yyyy-MM-ddTHH:mm:ss) take a far faster path than the
    // custom format strings above, and write the same text.

    private static void WriteTimestamp(Utf8JsonWriter writer, JsonEncodedText name, DateTime utc)
    {
        writer.WritePropertyName(name);
        WriteTimestamp(writer, utc);
    }

    private static void WriteTimestamp(Utf8JsonWriter writer, DateTime value)
    {
        Span<byte> text = stackalloc byte[32];
        value.ToUniversalTime().TryFormat(text, out var length, "s", CultureInfo.InvariantCulture);
        text[length++] = (byte)'Z';
        writer.WriteStringValue(text[..length]);
    }

    private static void WriteDate(Utf8JsonWriter writer, DateOnly date)
    {
        Span<byte> text = stackalloc byte[16];
        date.TryFormat(text, out var length, "O", CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..length]);
    }

    /// <summary><see cref="Real"/> written straight into the JSON.</summary>
    private static void WriteReal(Utf8JsonWriter writer, double value)
    {
        Span<byte> text = stackalloc byte[40];
        value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
        if (text[..length].IndexOfAny(".Ee"u8) < 0)
        {
            ".0"u8.CopyTo(text[length..]);
            length += 2;
        }
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }

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

/// <summary>
/// Which properties a feature carries and how dates look. <see cref="Full"/> is the REST form (every field, timestamps
/// with time of day); the OGC form can choose properties, writes dates as YYYY-MM-DD and adds MapX's mx_t0/mx_t1.
/// </summary>
public sealed record FeatureShape(IReadOnlySet<string>? Properties, bool DatesOnly, bool MapxTime)
{
    public static readonly FeatureShape Full = new(null, false, false);

    public bool Includes(string name) => Properties is null || Properties.Contains(name);
}
