using System.Buffers;
using System.Globalization;
using System.Text.Json;
using NapGeo.Geometry;
using NapGeo.Samples;
using NetTopologySuite.IO;

namespace NapGeo.Uploads;

/// <summary>Coordinates to a GeoJSON geometry: coordinate columns (degrees, or metres with a zone or crs=) and WKT.</summary>
public sealed partial class RowConverter
{
    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new NetTopologySuite.IO.Converters.GeoJsonConverterFactory() } };
    private readonly WKTReader _wkt = new(NetTopologySuite.NtsGeometryServices.Instance);
    private readonly ArrayBufferWriter<byte> _geometryBuffer = new(256);

    private const string NonFiniteMeaning = "NaN, or beyond ±1.8e308: 1e400 is read as infinity";

    /// <summary>Why a geometry's first coordinate that is NaN or infinite is not a place, or null. A height may be
    /// absent (NaN in NTS) but not infinite: it is dropped later, yet the serializer would refuse it first.</summary>
    private static string? NonFiniteCoordinate(NetTopologySuite.Geometries.Geometry geometry)
    {
        var coordinates = geometry.Coordinates;
        for (var i = 0; i < coordinates.Length; i++)
        {
            var c = coordinates[i];
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y) || double.IsInfinity(c.Z))
                return string.Create(CultureInfo.InvariantCulture,
                    $"coordinate {i} ({c.X}, {c.Y}{(double.IsNaN(c.Z) ? "" : $", {c.Z}")}) is not a finite number ({NonFiniteMeaning}).");
        }
        return null;
    }

    /// <summary>A cell that is a number, but NaN or infinite: TryNumber refuses it, and "not a number" would be wrong for 1e400.</summary>
    private static bool NonFinite(object raw) => raw switch
    {
        double d => !double.IsFinite(d),
        string s => double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && !double.IsFinite(v),
        _ => false,
    };

    private bool WriteTableGeometry(Utf8JsonWriter writer, SourceRecord record, List<UploadIssue> issues, ref string? rowCrs)
    {
        if (map.Wkt is { } w)
        {
            var text = Text(record.Values[w]);
            if (text is null) { issues.Add(new(record.Row, columns[w], null, "geometry", "the geometry is empty.")); return false; }
            NetTopologySuite.Geometries.Geometry geometry;
            try { geometry = _wkt.Read(text); }
            catch (Exception e) when (e is ParseException or ArgumentException or FormatException)
            {
                issues.Add(new(record.Row, columns[w], Shorten(text), "geometry", $"is not WKT geometry: {e.Message}"));
                return false;
            }
            // WKT reads NaN, and 1e400 as infinity; JSON has neither, and the serializer threw half-way through the
            // coordinates. Said here with the coordinate, not as the serializer's message.
            if (NonFiniteCoordinate(geometry) is { } bad)
            {
                issues.Add(new(record.Row, columns[w], Shorten(text), "geometry", bad));
                return false;
            }
            // Serialized apart and copied in whole: whatever the serializer still refuses, the feature's writer is never
            // left inside the geometry's arrays (the row's properties were then written there: a 500 for the whole file).
            _geometryBuffer.ResetWrittenCount();
            try
            {
                using var geometryWriter = new Utf8JsonWriter(_geometryBuffer);
                JsonSerializer.Serialize(geometryWriter, geometry, GeoJson);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or JsonException)
            {
                issues.Add(new(record.Row, columns[w], Shorten(text), "geometry", $"cannot be written as GeoJSON: {e.Message}"));
                return false;
            }
            writer.WriteRawValue(_geometryBuffer.WrittenSpan, skipInputValidation: true);
            return true;
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
            if (raw is null)
            {
                if (!_unreadable.Contains(index)) issues.Add(new(record.Row, columns[index], null, "geometry", $"the {role} is missing."));
                ok = false;
                continue;
            }
            double number = 0;
            var lettered = false;
            string? dmsProblem = null;
            // Eastings and northings are metres: only degrees have minutes, seconds and hemisphere letters.
            var dms = map.Projected ? DegreesCell.NotDms : TryDegrees(raw, index == yi, out number, out lettered, out dmsProblem);
            if (dms == DegreesCell.Invalid) { issues.Add(new(record.Row, columns[index], Text(raw), "geometry", dmsProblem!)); ok = false; continue; }
            if (dms == DegreesCell.NotDms && !TryNumber(raw, out number))
            {
                var notNumber = NonFinite(raw) ? $"the {role} is not a finite number ({NonFiniteMeaning})."
                    : map.Projected ? $"the {role} is not a number." : $"the {role} is not a number, nor degrees written as {DmsExample}.";
                issues.Add(new(record.Row, columns[index], Text(raw), "geometry", notNumber));
                ok = false;
                continue;
            }
            // "5,304" is a latitude with a decimal comma: 5304 cannot be degrees. In metres either reading could be meant.
            var degrees = !map.Projected && Math.Abs(number) <= (index == xi ? 180 : 90);
            if (!degrees && Ambiguous(raw) is { } reason) { issues.Add(new(record.Row, columns[index], Text(raw), "geometry", reason)); ok = false; continue; }
            // "Longitude (W)": the header gives the sign, so 1.98765 is 1.98765° W. Teams often sign the number as well
            // (-1.98765 under the same header): that is the same hemisphere said twice, and stays as written.
            // A hemisphere letter in the cell has signed it already.
            if ((index == xi ? map.WestFromHeader : map.SouthFromHeader) && number > 0 && !lettered) number = -number;
            if (index == xi) x = number; else y = number;
        }
        // A zone qualifies eastings and northings. Beside degrees (a Kobo form's latitude/longitude next to a zone the
        // team also noted) it says nothing about them: reading degrees as UTM put points ~700 km away. Columns named
        // x/y are told apart by their values, which cannot be both degrees and metres.
        string? zoneText = null;
        if (map.Zone is { } zi && (map.Projected || Math.Abs(x) > 180 || Math.Abs(y) > 90))
        {
            var zone = Text(record.Values[zi]);
            if (zone is null) { if (crs is null) { issues.Add(new(record.Row, columns[zi], null, "geometry", "the UTM zone is missing.")); ok = false; } }
            else if (UtmZone(zone, crs) is { } epsg) { rowCrs = $"EPSG:{epsg}"; zoneText = zone; }
            else { issues.Add(new(record.Row, columns[zi], zone, "geometry", "is not a UTM zone such as 30N or 31S.")); ok = false; }
        }
        if (ok && (IsUtm(rowCrs) || crsProjected && rowCrs == crs) && !map.Projected && Math.Abs(x) <= 180 && Math.Abs(y) <= 90)
        {
            // The same with any projected crs= (a national grid, Web Mercator): degrees read as metres or feet land beside
            // its false origin. A projected coordinate within 180 × 90 units of that origin is no place a sample is taken.
            // Latitude/longitude (or x/y) columns holding degrees under a UTM crs=: read as metres they put the point
            // beside the zone's false origin (5.31, -1.95 in EPSG:32630 landed at -7.49, 0.00005), and the range check
            // below was skipped exactly then. A zone column is not applied to degrees (above), but crs= names the
            // coordinates' CRS outright: the file and the request disagree, and which one is right only its sender knows.
            issues.Add(new(record.Row, $"{columns[xi]}, {columns[yi]}", $"{Text(record.Values[xi])}, {Text(record.Values[yi])}", "geometry",
                $"these are degrees, but crs={rowCrs} is {(IsUtm(rowCrs) ? "UTM, in metres" : "a projected CRS, in metres or feet")}: " +
                "send degrees without crs=, or the eastings and northings with it."));
            ok = false;
        }
        else if (ok && IsUtm(rowCrs) && (map.Projected || Math.Abs(x) > 180 || Math.Abs(y) > 90))
        {
            // Outside these a UTM coordinate is not a place: a misread number (609,812 as 609.812 m) or degrees. Eastings
            // run past 900,000 m where a country is kept in one zone (eastern Ghana in zone 30N: ~943,000 m).
            if (x is < 1_000 or > 999_000) ok = OutOfZone(xi, "easting", x, "1,000–999,000 m", rowCrs);
            if (y is < 0 or > 10_000_000) ok = OutOfZone(yi, "northing", y, "0–10,000,000 m", rowCrs);
            if (ok && zoneText is not null && UtmBandProblem(zoneText, int.Parse(rowCrs![5..], CultureInfo.InvariantCulture), y) is { } band)
            {
                issues.Add(new(record.Row, $"{columns[map.Zone!.Value]}, {columns[yi]}", $"{zoneText}, {Text(record.Values[yi])}", "geometry", band));
                ok = false;
            }
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
}
