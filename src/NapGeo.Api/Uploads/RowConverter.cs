using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NapGeo.Geometry;
using NapGeo.Layers;
using NapGeo.Samples;
using NetTopologySuite.IO;

namespace NapGeo.Uploads;

/// <summary>A row turned into a GeoJSON Feature for <see cref="FeatureInput"/>, with what is needed to point errors back at cells.</summary>
public sealed class ConvertedRow
{
    public required ReadOnlyMemory<byte> Feature { get; init; }
    public string? Crs { get; init; }
    public List<UploadIssue> Issues { get; } = [];
    /// <summary>The coordinates could not be read: FeatureInput's "geometry is required" would only repeat that.</summary>
    public bool CoordinatesReported { get; set; }
}

/// <summary>
/// Turns one source row into a GeoJSON Feature in the API's own vocabulary, so that the same <see cref="FeatureInput"/>
/// rules and messages apply as for the REST API. It only reads what spreadsheets write differently from JSON:
/// decimal commas, day-first dates, yes/no, "&lt;0.05" below detection, matrix and unit spellings, coordinates in columns.
/// Anything it cannot read is passed on as text, so FeatureInput reports it with its usual message.
/// <paramref name="crs"/> is the CRS of the coordinates as they reach FeatureInput (a zone column overrides it per row).
/// </summary>
public sealed partial class RowConverter(LayerDefinition layer, ColumnMap map, IReadOnlyList<string> columns, string? campaign, string? crs)
{
    private static readonly string[] DateFormats =
        ["yyyy-MM-dd", "yyyy/MM/dd", "dd/MM/yyyy", "d/M/yyyy", "dd.MM.yyyy", "d.M.yyyy", "dd-MM-yyyy", "yyyyMMdd"];
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy/MM/dd HH:mm", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd HH:mm:sszzz",
        "dd/MM/yyyy HH:mm", "dd/MM/yyyy HH:mm:ss", "d/M/yyyy H:mm", "dd.MM.yyyy HH:mm",
    ];
    private static readonly HashSet<string> BelowDetectionWords = ["nd", "n d", "bdl", "lod", "lt lod", "lt dl", "dl", "below detection", "not detected", "nq"];

    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new NetTopologySuite.IO.Converters.GeoJsonConverterFactory() } };
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly WKTReader _wkt = new(NetTopologySuite.NtsGeometryServices.Instance);

    /// <summary>The column and raw text each field came from, for the report.</summary>
    public (string? Column, string? Value) Source(string field, SourceRecord record) =>
        map.Fields.TryGetValue(field, out var i) ? (columns[i], Text(record.Values[i])) : (null, null);

    public (string? Column, string? Value) GeometrySource(SourceRecord record)
    {
        if (record.Geometry is not null) return ("geometry", null);
        if (map.Wkt is { } w) return (columns[w], Text(record.Values[w]));
        if (map.X is { } x && map.Y is { } y) return ($"{columns[x]}, {columns[y]}", $"{Text(record.Values[x])}, {Text(record.Values[y])}");
        return (null, null);
    }

    /// <summary>Builds the feature; the returned memory is valid until the next call.</summary>
    public ConvertedRow Convert(SourceRecord record)
    {
        _buffer.ResetWrittenCount();
        var issues = new List<UploadIssue>();
        if (record.Problem is { } problem) issues.Add(problem);
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
        return row;
    }

    private bool WriteTableGeometry(Utf8JsonWriter writer, SourceRecord record, List<UploadIssue> issues, ref string? rowCrs)
    {
        if (map.Wkt is { } w)
        {
            var text = Text(record.Values[w]);
            if (text is null) { issues.Add(new(record.Row, columns[w], null, "geometry", "the geometry is empty.")); return false; }
            try
            {
                var geometry = _wkt.Read(text);
                JsonSerializer.Serialize(writer, geometry, GeoJson);
                return true;
            }
            catch (Exception e) when (e is ParseException or ArgumentException or FormatException)
            {
                issues.Add(new(record.Row, columns[w], Shorten(text), "geometry", $"is not WKT geometry: {e.Message}"));
                return false;
            }
        }
        // A feature format (GeoJSON, KML, GeoPackage …) has no coordinate columns: a feature without a geometry is a row error.
        if (map.X is not { } xi || map.Y is not { } yi)
        {
            issues.Add(new(record.Row, "geometry", null, "geometry", "the feature has no geometry."));
            return false;
        }
        var ok = true;
        double x = 0, y = 0;
        foreach (var (index, role) in new[] { (xi, map.Projected ? "easting" : "longitude"), (yi, map.Projected ? "northing" : "latitude") })
        {
            var raw = record.Values[index];
            if (raw is null) { issues.Add(new(record.Row, columns[index], null, "geometry", $"the {role} is missing.")); ok = false; continue; }
            if (!TryNumber(raw, out var number)) { issues.Add(new(record.Row, columns[index], Text(raw), "geometry", $"the {role} is not a number.")); ok = false; continue; }
            // "5,304" is a latitude with a decimal comma: 5304 cannot be degrees. In metres either reading could be meant.
            var degrees = !map.Projected && Math.Abs(number) <= (index == xi ? 180 : 90);
            if (!degrees && Ambiguous(raw) is { } reason) { issues.Add(new(record.Row, columns[index], Text(raw), "geometry", reason)); ok = false; continue; }
            // "Longitude (W)": the header gives the sign, so 1.98765 is 1.98765° W. Teams often sign the number as well
            // (-1.98765 under the same header): that is the same hemisphere said twice, and stays as written.
            if ((index == xi ? map.WestFromHeader : map.SouthFromHeader) && number > 0) number = -number;
            if (index == xi) x = number; else y = number;
        }
        // A zone qualifies eastings and northings. Beside degrees (a Kobo form's latitude/longitude next to a zone the
        // team also noted) it says nothing about them: reading degrees as UTM put points ~700 km away. Columns named
        // x/y are told apart by their values, which cannot be both degrees and metres.
        if (map.Zone is { } zi && (map.Projected || Math.Abs(x) > 180 || Math.Abs(y) > 90))
        {
            var zone = Text(record.Values[zi]);
            if (zone is null) { if (crs is null) { issues.Add(new(record.Row, columns[zi], null, "geometry", "the UTM zone is missing.")); ok = false; } }
            else if (UtmZone(zone, crs) is { } epsg) rowCrs = $"EPSG:{epsg}";
            else { issues.Add(new(record.Row, columns[zi], zone, "geometry", "is not a UTM zone such as 30N or 31S.")); ok = false; }
        }
        if (ok && IsUtm(rowCrs) && (map.Projected || Math.Abs(x) > 180 || Math.Abs(y) > 90))
        {
            // Outside these a UTM coordinate is not a place: a misread number (609,812 as 609.812 m) or degrees. Eastings
            // run past 900,000 m where a country is kept in one zone (eastern Ghana in zone 30N: ~943,000 m).
            if (x is < 1_000 or > 999_000) ok = OutOfZone(xi, "easting", x, "1,000–999,000 m", rowCrs);
            if (y is < 0 or > 10_000_000) ok = OutOfZone(yi, "northing", y, "0–10,000,000 m", rowCrs);
        }
        if (!ok) return false;
        writer.WriteStartObject();
        writer.WriteString("type", "Point");
        writer.WriteStartArray("coordinates");
        writer.WriteNumberValue(x);
        writer.WriteNumberValue(y);
        writer.WriteEndArray();
        writer.WriteEndObject();
        return true;

        bool OutOfZone(int index, string role, double metres, string range, string? zoneCrs)
        {
            issues.Add(new(record.Row, columns[index], Text(record.Values[index]), "geometry",
                string.Create(CultureInfo.InvariantCulture, $"the {role} {metres:0.###} m is outside UTM's {range} ({zoneCrs}).")));
            return false;
        }
    }

    private static bool IsUtm(string? crs) => CrsName.TryParseSrid(crs, out var srid) && srid / 100 is 326 or 327;

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
            writer.WritePropertyName(name);
            WriteValue(writer, field, raw);
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

    public static string? Text(object? raw) => raw switch
    {
        null => null,
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => raw.ToString(),
    };

    /// <summary>Numbers as field sheets write them: "1.5", "1,5" (decimal comma), "1 234,5", "1,234.5".</summary>
    public static bool TryNumber(object? raw, out double number)
    {
        number = 0;
        switch (raw)
        {
            case double d: number = d; return double.IsFinite(d);
            case int or long or decimal or float: number = System.Convert.ToDouble(raw, CultureInfo.InvariantCulture); return true;
            case string s:
                var text = s.Trim().Replace("\u00a0", "").Replace("\u202f", "").Replace(" ", "");
                if (text.Length == 0) return false;
                var comma = text.LastIndexOf(',');
                var dot = text.LastIndexOf('.');
                if (comma >= 0 && dot >= 0) text = comma > dot ? text.Replace(".", "").Replace(',', '.') : text.Replace(",", "");
                else if (comma >= 0) text = text.IndexOf(',') == comma ? text.Replace(',', '.') : text.Replace(",", "");
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
            default: return false;
        }
    }

    /// <summary>
    /// "1,250" is 1.25 with a decimal comma and 1250 with a thousands separator (Excel's #,##0 written to CSV), and
    /// nothing in the cell tells which: a reason to give the row, or null. "0,350", "1,25" and "1,250.5" are not ambiguous.
    /// </summary>
    public static string? Ambiguous(object? raw)
    {
        if (raw is not string s || !AmbiguousThousands().IsMatch(s.Trim())) return null;
        var text = s.Trim();
        var decimalComma = double.Parse(text.Replace(',', '.'), CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
        var thousands = text.Replace(",", "");
        return $"'{text}' is ambiguous: {decimalComma} with a decimal comma, or {thousands} with a thousands separator; write {decimalComma} or {thousands}.";
    }

    [GeneratedRegex(@"^-?[1-9]\d{0,2},\d{3}$")]
    private static partial Regex AmbiguousThousands();

    private static bool TryBoolean(object raw, out bool flag)
    {
        flag = false;
        switch (raw)
        {
            case bool b: flag = b; return true;
            case double d when d is 0 or 1: flag = d == 1; return true;
            case string s:
                switch (Units.Fold(s))
                {
                    case "true" or "yes" or "y" or "1" or "oui" or "si" or "sim" or "x": flag = true; return true;
                    case "false" or "no" or "n" or "0" or "non" or "nao": flag = false; return true;
                }
                return false;
            default: return false;
        }
    }

    private static bool TryDate(object raw, out DateOnly date)
    {
        date = default;
        if (raw is DateTime t) { date = DateOnly.FromDateTime(t); return true; }
        return raw is string s && DateOnly.TryParseExact(s.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    /// <summary>Dates and times without an offset are taken as UTC; day-first dates (dd/MM/yyyy) as field teams outside the US write them.</summary>
    private static bool TryTimestamp(object raw, out string iso)
    {
        iso = "";
        if (raw is DateTime t)
        {
            iso = t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : FeatureJson.Timestamp(DateTime.SpecifyKind(t, DateTimeKind.Utc));
            return true;
        }
        if (raw is not string s) return false;
        s = s.Trim();
        if (TryDate(s, out var date)) { iso = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture); return true; }
        if (DateTimeOffset.TryParseExact(s, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ||
            (s.Length > 10 && s[4] == '-' && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out parsed)))
        {
            iso = FeatureJson.Timestamp(parsed.UtcDateTime);
            return true;
        }
        return false;
    }

    /// <summary>
    /// "30N", "30 N", "zone 31s" → EPSG:32630, 32731 (WGS 84 / UTM). GPS units write a latitude band instead of the
    /// hemisphere (northern Ghana is 30P): C–M are south of the equator, N–X north, except S, which is read as "south"
    /// as most sheets mean it (band S, 32–40° N, has little gold mining). A bare zone number (30) takes its hemisphere
    /// from <paramref name="crs"/> when that is a UTM code (EPSG:327zz is south).
    /// </summary>
    public static int? UtmZone(string text, string? crs = null)
    {
        var folded = Units.Fold(text).Replace("zone", "").Replace(" ", "");
        if (crs is not null && int.TryParse(folded, NumberStyles.None, CultureInfo.InvariantCulture, out var bare) && bare is >= 1 and <= 60 &&
            CrsName.TryParseSrid(crs, out var srid) && srid / 100 is 326 or 327)
            return srid / 100 * 100 + bare;
        if (folded.Length < 2) return null;
        var letter = folded[^1];
        if (letter is < 'c' or > 'x' or 'i' or 'o' || !int.TryParse(folded[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var zone) || zone is < 1 or > 60)
            return null;
        return (letter is >= 'n' and not 's' ? 32600 : 32700) + zone;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
