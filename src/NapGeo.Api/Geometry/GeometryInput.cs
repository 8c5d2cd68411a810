using System.Globalization;
using System.Text.Json;
using NetTopologySuite;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.Operation.Valid;

namespace NapGeo.Geometry;

/// <summary>
/// Reads a GeoJSON geometry from a request and checks it before it reaches the database: the structure
/// (closed rings, numeric positions), coordinates in range after reprojection, OGC validity and the layer's
/// geometry type. Invalid input is reported with the reason and where, never silently altered unless repair is asked.
/// Heights (a third coordinate, as GPS units record them) are the exception: the layers are 2D, so they are dropped,
/// as the upload readers drop them too.
/// </summary>
public sealed class GeometryInput(CrsTransforms crs)
{
    public static readonly GeometryFactory Factory = NtsGeometryServices.Instance.CreateGeometryFactory(CrsTransforms.Wgs84);
    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory(Factory) } };

    /// <returns>The geometry in EPSG:4326, or null with messages added to <paramref name="errors"/>.</returns>
    public async Task<NetTopologySuite.Geometries.Geometry?> ReadAsync(
        JsonElement element, int srid, bool repair, IReadOnlyList<OgcGeometryType> allowed, bool promotePolygons,
        List<string> errors, CancellationToken ct)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add("geometry must be a GeoJSON geometry object.");
            return null;
        }
        if (!CheckStructure(element, errors)) return null;

        NetTopologySuite.Geometries.Geometry geometry;
        try { geometry = element.Deserialize<NetTopologySuite.Geometries.Geometry>(GeoJson)!; }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            errors.Add($"geometry could not be read: {e.Message}");
            return null;
        }
        if (geometry.IsEmpty) { errors.Add("geometry is empty."); return null; }

        if (srid != CrsTransforms.Wgs84)
        {
            var transform = await crs.ToWgs84Async(srid, ct);
            if (transform is null) { errors.Add($"CRS EPSG:{srid} is not known to this server, or its projection is not supported; send lon/lat or UTM."); return null; }
            // ProjNet's iterative inverses (Polyconic, used for Brazil's Amazon) throw a bare Exception("No Convergence") for
            // points far outside the projection's area, such as lon/lat sent with a projected crs=.
            try { geometry = CrsTransforms.Apply(geometry, transform, CrsTransforms.Wgs84); }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                errors.Add($"geometry could not be converted from EPSG:{srid} to longitude/latitude ({e.Message}): are its coordinates in that CRS?");
                return null;
            }
        }
        geometry.SRID = CrsTransforms.Wgs84;

        if (!CheckRange(geometry, srid, errors)) return null;

        if (!allowed.Contains(geometry.OgcGeometryType))
        {
            errors.Add($"geometry type {geometry.GeometryType} is not accepted here; use {string.Join(" or ", allowed)}.");
            return null;
        }

        var validity = new IsValidOp(geometry).ValidationError;
        if (validity is not null)
        {
            if (!repair)
            {
                errors.Add($"geometry is not valid: {validity.Message} at ({Format(validity.Coordinate)}). Fix it, or send ?repair=true to have it repaired.");
                return null;
            }
            geometry = GeometryFixer.Fix(geometry);
            geometry.SRID = CrsTransforms.Wgs84;
            if (geometry.IsEmpty || !allowed.Contains(geometry.OgcGeometryType) && !(promotePolygons && geometry is Polygon or MultiPolygon))
            {
                errors.Add($"geometry could not be repaired into a {string.Join(" or ", allowed)}.");
                return null;
            }
        }

        if (promotePolygons && geometry is Polygon polygon)
            geometry = Factory.CreateMultiPolygon([polygon]);
        return geometry;
    }

    private static bool CheckRange(NetTopologySuite.Geometries.Geometry geometry, int srid, List<string> errors)
    {
        var coordinates = geometry.Coordinates;
        for (var i = 0; i < coordinates.Length; i++)
        {
            var c = coordinates[i];
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y) || c.X is < -180 or > 180 || c.Y is < -90 or > 90)
            {
                var where = srid == CrsTransforms.Wgs84 ? "" : $" after reprojection from EPSG:{srid} (is that the right CRS?)";
                errors.Add($"coordinate {i} ({Format(c)}) is outside longitude -180…180 / latitude -90…90{where}.");
                return false;
            }
        }
        return true;
    }

    /// <summary>Structural checks NTS would otherwise answer with an exception that names nothing useful.</summary>
    private static bool CheckStructure(JsonElement geometry, List<string> errors)
    {
        var type = geometry.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type == "GeometryCollection")
        {
            errors.Add("geometry type GeometryCollection is not accepted.");
            return false;
        }
        if (type is not ("Point" or "MultiPoint" or "LineString" or "MultiLineString" or "Polygon" or "MultiPolygon"))
        {
            errors.Add($"geometry.type '{type}' is not a GeoJSON geometry type.");
            return false;
        }
        if (!geometry.TryGetProperty("coordinates", out var coordinates) || coordinates.ValueKind != JsonValueKind.Array)
        {
            errors.Add("geometry.coordinates is missing or not an array.");
            return false;
        }
        var depth = type switch { "Point" => 0, "MultiPoint" or "LineString" => 1, "MultiLineString" or "Polygon" => 2, _ => 3 };
        return CheckPositions(coordinates, depth, "geometry.coordinates", type, errors);
    }

    private static bool CheckPositions(JsonElement array, int depth, string path, string type, List<string> errors)
    {
        if (depth == 0)
        {
            if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() is < 2 or > 4 ||
                array.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.Number))
            {
                errors.Add($"{path} must be a position [longitude, latitude] of numbers.");
                return false;
            }
            return true;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"{path} must be an array.");
            return false;
        }
        var i = 0;
        foreach (var child in array.EnumerateArray())
            if (!CheckPositions(child, depth - 1, $"{path}[{i++}]", type, errors)) return false;

        var isRing = depth == 1 && (type == "Polygon" || type == "MultiPolygon");
        if (isRing)
        {
            var n = array.GetArrayLength();
            if (n < 4)
            {
                errors.Add($"{path} is a ring with {n} positions; a ring needs at least 4 (closed).");
                return false;
            }
            var first = array[0];
            var last = array[n - 1];
            if (first[0].GetDouble() != last[0].GetDouble() || first[1].GetDouble() != last[1].GetDouble())
            {
                errors.Add($"{path} is not closed: its first position ({first[0]}, {first[1]}) differs from its last ({last[0]}, {last[1]}).");
                return false;
            }
        }
        else if (array.GetArrayLength() == 0)
        {
            errors.Add($"{path} is empty.");
            return false;
        }
        return true;
    }

    private static string Format(Coordinate? c) =>
        c is null ? "?" : string.Create(CultureInfo.InvariantCulture, $"{c.X}, {c.Y}");
}
