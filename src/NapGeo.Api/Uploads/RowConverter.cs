using System.Buffers;
using System.Globalization;
using System.Text.Json;
using NapGeo.Layers;
using NapGeo.Samples;

namespace NapGeo.Uploads;

/// <summary>A row turned into a GeoJSON Feature for <see cref="FeatureInput"/>, with what is needed to point errors back at cells.</summary>
public sealed class ConvertedRow
{
    public required ReadOnlyMemory<byte> Feature { get; init; }
    public string? Crs { get; init; }
    public List<UploadIssue> Issues { get; } = [];
    /// <summary>The coordinates could not be read: FeatureInput's "geometry is required" would only repeat that.</summary>
    public bool CoordinatesReported { get; set; }
    /// <summary>Fields whose cell was reported and left out (a formula without a value): FeatureInput's "is required" would only repeat it.</summary>
    public HashSet<string> Omitted { get; } = [];
}

/// <summary>
/// Turns one source row into a GeoJSON Feature in the API's own vocabulary, so that the same <see cref="FeatureInput"/>
/// rules and messages apply as for the REST API. It only reads what spreadsheets write differently from JSON:
/// decimal commas, day-first dates, yes/no, "&lt;0.05" below detection, matrix and unit spellings, coordinates in columns.
/// Anything it cannot read is passed on as text, so FeatureInput reports it with its usual message.
/// <paramref name="crs"/> is the CRS of the coordinates as they reach FeatureInput (a zone column overrides it per row).
/// </summary>
/// <paramref name="crsProjected"/> says whether <paramref name="crs"/> is a projected CRS (metres or feet, not degrees).
public sealed partial class RowConverter(
    LayerDefinition layer, ColumnMap map, IReadOnlyList<string> columns, string? campaign, string? crs, bool crsProjected = false)
{
    private static readonly HashSet<string> BelowDetectionWords = ["nd", "n d", "bdl", "lod", "lt lod", "lt dl", "dl", "below detection", "not detected", "nq"];

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    /// <summary>Every column the row is read from, with the field (or "geometry") it feeds: the cells checked for NUL.</summary>
    private readonly (int Index, string Field)[] _read =
    [
        .. map.Fields.Select(p => (p.Value, p.Key)),
        .. new[] { map.X, map.Y, map.Zone, map.Wkt }.OfType<int>().Select(i => (i, "geometry")),
    ];

    /// <summary>The column and raw text each field came from, for the report.</summary>
    public (string? Column, string? Value) Source(string field, SourceRecord record) =>
        map.Fields.TryGetValue(field, out var i) ? (columns[i], Shown(Text(record.Values[i]))) : (null, null);

    /// <summary>
    /// Said after "is required." of a field no column feeds, when the file has columns nothing read: "external_id is
    /// required" beside an ignored "Lab ID" left the sender to find both the cause and the mapping= that fixes it.
    /// </summary>
    public string? UnreadColumnsHint(string field)
    {
        if (map.Fields.ContainsKey(field)) return null;
        var candidates = map.Ignored.Where(columns.Contains).ToList();
        if (candidates.Count == 0) return null;
        var names = string.Join(", ", candidates.Take(8).Select(c => $"'{Shorten(c)}'")) + (candidates.Count > 8 ? $" and {candidates.Count - 8} more" : "");
        var example = candidates[0].Replace("\\", "\\\\").Replace("\"", "\\\"");
        return $"No column was read as {field}; the file's columns that were not read are {names}: if one of them holds it, send mapping={{\"{field}\":\"{example}\"}}.";
    }

    public (string? Column, string? Value) GeometrySource(SourceRecord record)
    {
        if (record.Geometry is not null) return ("geometry", null);
        if (map.Wkt is { } w) return (columns[w], Shown(Text(record.Values[w])));
        if (map.X is { } x && map.Y is { } y) return ($"{columns[x]}, {columns[y]}", Shown($"{Text(record.Values[x])}, {Text(record.Values[y])}"));
        return (null, null);
    }

    /// <summary>Text for the report, which is stored as jsonb: a NUL (which jsonb cannot hold either) shown as ␀.</summary>
    public static string? Shown(string? text) => text is not null && text.Contains('\0') ? text.Replace('\0', '\u2400') : text;

    /// <summary>Columns of the row being converted that were reported as unreadable: "is missing" would only repeat that.</summary>
    private readonly HashSet<int> _unreadable = [];
    private readonly HashSet<string> _omitted = [];

    /// <summary>
    /// Cells read that cannot be stored as they are, each a row error naming its cell. PostgreSQL text cannot hold a NUL
    /// character: one in a notes cell failed the COPY ("invalid byte sequence for encoding UTF8: 0x00"), a 400 for the
    /// whole upload that named no row; the row goes on with ␀ in its place, so FeatureInput's messages about the same
    /// cell can be stored too. A formula without a computed value has no value at all: the row goes on without it.
    /// </summary>
    private SourceRecord WithoutUnreadable(SourceRecord record, List<UploadIssue> issues)
    {
        _unreadable.Clear();
        _omitted.Clear();
        object?[]? values = null;
        foreach (var (index, field) in _read)
        {
            switch (record.Values[index])
            {
                case string text when text.Contains('\0'):
                    values ??= (object?[])record.Values.Clone();
                    values[index] = Shown(text);
                    issues.Add(new(record.Row, columns[index], Shorten(Shown(text)!), field,
                        "holds a NUL character (byte 0, shown as ␀), which PostgreSQL text cannot store; remove it."));
                    break;
                case UncomputedFormula formula:
                    values ??= (object?[])record.Values.Clone();
                    values[index] = null;
                    _unreadable.Add(index);
                    _omitted.Add(field);
                    issues.Add(new(record.Row, columns[index], Shorten(Shown(formula.ToString())!), field,
                        "is a formula without a computed value: the workbook was saved without its formulas' results (by a script or an export). " +
                        "Open it in Excel or LibreOffice and save it again, so the values are stored, or paste the values over the formulas."));
                    break;
            }
        }
        return values is null ? record : record with { Values = values };
    }

    /// <summary>Builds the feature; the returned memory is valid until the next call.</summary>
    public ConvertedRow Convert(SourceRecord record)
    {
        _buffer.ResetWrittenCount();
        var issues = new List<UploadIssue>();
        if (record.Problem is { } problem) issues.Add(problem with { Value = Shown(problem.Value) });
        record = WithoutUnreadable(record, issues);
        var rowCrs = crs;
        var coordinatesReported = false;
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "Feature");
            writer.WritePropertyName("geometry");
            if (record.Geometry is { } geometry) geometry.WriteTo(writer);
            else if (!WriteTableGeometry(writer, record, issues, ref rowCrs)) { writer.WriteNullValue(); coordinatesReported = true; }
            writer.WritePropertyName("properties");
            writer.WriteStartObject();
            WriteProperties(writer, record, issues);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        var row = new ConvertedRow { Feature = _buffer.WrittenMemory, Crs = rowCrs, CoordinatesReported = coordinatesReported };
        row.Issues.AddRange(issues);
        row.Omitted.UnionWith(_omitted);
        return row;
    }

    private void WriteProperties(Utf8JsonWriter writer, SourceRecord record, List<UploadIssue> issues)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        bool? belowDetection = null;
        double? limitFromValue = null;
        foreach (var (name, index) in map.Fields)
        {
            var field = layer.Find(name)!;
            var raw = record.Values[index];
            if (raw is null) continue;
            if (layer.Name == "samples" && name == "value" && BelowDetection(raw, out var limit))
            {
                belowDetection = true;
                limitFromValue = limit;
                continue;
            }
            if (field.Kind is FieldKind.Number or FieldKind.Integer && Ambiguous(raw) is { } reason)
                issues.Add(new(record.Row, columns[index], Text(raw), name, reason));
            // Left out of the feature, so that the row's other fields are still judged, the layer's rules included.
            if (field.Kind is FieldKind.Date or FieldKind.Timestamp && DateProblem(field, raw) is { } dateReason)
            {
                issues.Add(new(record.Row, columns[index], Shorten(Text(raw)!), name, dateReason));
                _omitted.Add(name);
                continue;
            }
            writer.WritePropertyName(name);
            if (name == "detection_limit" && map.LimitUnitFromHeader is { } limitUnit && TryNumber(raw, out var limitNumber))
                writer.WriteNumberValue(LimitInRowUnit(record, index, limitNumber, limitUnit, issues));
            else WriteValue(writer, field, raw);
            written.Add(name);
        }
        if (layer.Name != "samples") return;
        if (belowDetection == true)
        {
            if (!written.Contains("below_detection")) writer.WriteBoolean("below_detection", true);
            if (limitFromValue is { } l && !written.Contains("detection_limit")) writer.WriteNumber("detection_limit", l);
        }
        if (!written.Contains("campaign") && campaign is not null) writer.WriteString("campaign", campaign);
        if (!written.Contains("unit") && map.UnitFromHeader is { } unit) writer.WriteString("unit", unit);
    }

    /// <summary>
    /// The detection limit in the row's unit (its unit column, else the value's header), from the unit in the limit's
    /// header: the field is "in the reported unit", and taken as written "LOD (µg/kg)" = 20 beside mg/kg values was
    /// stored as 20 mg/kg. The conversion is the matrix's, as for values (mass per mass for solids, per volume for
    /// liquids, per m³ for air). A matrix or unit the file gives but that cannot be read leaves the limit as written, as
    /// FeatureInput refuses the row for it anyway; a limit unit that cannot be converted (mg/L for soil) is a row error.
    /// So is a row whose file gives no matrix or unit: a re-upload's row then takes its stored row's (StoredRows), which
    /// this conversion, made before, cannot see, and the limit would be stored as if in that unit.
    /// </summary>
    private double LimitInRowUnit(SourceRecord record, int column, double limit, string limitUnit, List<UploadIssue> issues)
    {
        var matrixText = map.Fields.TryGetValue("matrix", out var m) ? Text(record.Values[m])?.Trim() : null;
        var unit = map.Fields.TryGetValue("unit", out var u) && Text(record.Values[u])?.Trim() is { Length: > 0 } reported ? reported : map.UnitFromHeader;
        // The row's own unit needs no conversion, and so no matrix: a lab's re-upload sheet of values and limits both in
        // mg/kg, without the matrix its rows keep from the stored ones, was refused row by row.
        if (unit is not null && Units.Key(limitUnit) == Units.Key(unit)) return limit;
        if (string.IsNullOrEmpty(matrixText) || unit is null)
        {
            var missing = string.IsNullOrEmpty(matrixText) ? unit is null ? "matrix and unit" : "matrix" : "unit";
            issues.Add(new(record.Row, columns[column], Text(record.Values[column]), "detection_limit",
                $"is in {limitUnit} (its header), which cannot be converted without the row's {missing}: give {(missing.Contains(' ') ? "them" : "it")} in the file."));
            return limit;
        }
        // A row unit that does not fit its matrix is FeatureInput's error to report, not the limit's.
        if (Units.MatchMatrix(matrixText) is not { } matrix || Units.Normalize(matrix, unit, out _) is null) return limit;
        if (LimitUnits.Convert(matrix, limitUnit, unit, limit, out var reason) is { } converted) return converted;
        issues.Add(new(record.Row, columns[column], Text(record.Values[column]), "detection_limit",
            $"is in {limitUnit} (its header), which cannot be converted to the row's unit {unit}: {reason}"));
        return limit;
    }

    private static void WriteValue(Utf8JsonWriter writer, Field field, object raw)
    {
        switch (field.Kind)
        {
            case FieldKind.Number when TryNumber(raw, out var number):
                writer.WriteNumberValue(number);
                return;
            case FieldKind.Integer when TryNumber(raw, out var whole) && whole == Math.Floor(whole) && Math.Abs(whole) < int.MaxValue:
                writer.WriteNumberValue((long)whole);
                return;
            case FieldKind.Boolean when TryBoolean(raw, out var flag):
                writer.WriteBooleanValue(flag);
                return;
            case FieldKind.Date when TryDate(raw, out var date):
                writer.WriteStringValue(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                return;
            case FieldKind.Timestamp when TryTimestamp(raw, out var timestamp):
                writer.WriteStringValue(timestamp);
                return;
            case FieldKind.Text when field.Name == "matrix" && Text(raw) is { } m && Units.MatchMatrix(m) is { } matrix:
                writer.WriteStringValue(matrix);
                return;
            default:
                writer.WriteStringValue(Text(raw));
                return;
        }
    }

    /// <summary>"&lt;0.05", "&lt; LOD", "ND", "BDL": a result below the detection limit, with the limit when written.</summary>
    private static bool BelowDetection(object raw, out double? limit)
    {
        limit = null;
        if (raw is not string text) return false;
        text = text.Trim();
        if (text.StartsWith('<'))
        {
            var rest = text[1..].Trim();
            if (TryNumber(rest, out var l)) { limit = l; return true; }
            return BelowDetectionWords.Contains(Units.Fold(rest));
        }
        return BelowDetectionWords.Contains(Units.Fold(text));
    }

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
