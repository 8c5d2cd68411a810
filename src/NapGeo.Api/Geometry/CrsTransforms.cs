using System.Collections.Concurrent;
using NetTopologySuite.Geometries;
using Npgsql;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace NapGeo.Geometry;

/// <summary>
/// Reprojects geometries to EPSG:4326 with ProjNet, using the CRS definitions PostGIS ships in
/// <c>spatial_ref_sys</c>, so any EPSG code the database knows is accepted without a table of our own.
/// </summary>
public sealed partial class CrsTransforms(NpgsqlDataSource db)
{
    public const int Wgs84 = 4326;
    private readonly ConcurrentDictionary<int, MathTransform?> _toWgs84 = new();
    private readonly ConcurrentDictionary<int, MathTransform?> _fromWgs84 = new();

    /// <summary>The transform from <paramref name="srid"/> to lon/lat WGS 84, or null when the code is unknown.</summary>
    public async Task<MathTransform?> ToWgs84Async(int srid, CancellationToken ct = default)
    {
        if (_toWgs84.TryGetValue(srid, out var cached)) return cached;
        var source = await LoadAsync(srid, ct);
        return _toWgs84.GetOrAdd(srid, source is null ? null : Create(source, GeographicCoordinateSystem.WGS84));
    }

    /// <summary>The transform from lon/lat WGS 84 to <paramref name="srid"/>, or null when the code is unknown.</summary>
    public async Task<MathTransform?> FromWgs84Async(int srid, CancellationToken ct = default)
    {
        if (_fromWgs84.TryGetValue(srid, out var cached)) return cached;
        var target = await LoadAsync(srid, ct);
        return _fromWgs84.GetOrAdd(srid, target is null ? null : Create(GeographicCoordinateSystem.WGS84, target));
    }

    /// <summary>Whether <paramref name="srid"/> is a projected CRS (metres or feet on a map), as far as the database knows it.</summary>
    public async Task<bool> IsProjectedAsync(int srid, CancellationToken ct = default) =>
        await LoadAsync(srid, ct) is ProjectedCoordinateSystem;

    public static T Apply<T>(T geometry, MathTransform transform, int targetSrid) where T : NetTopologySuite.Geometries.Geometry
    {
        var copy = (T)geometry.Copy();
        copy.Apply(new TransformFilter(transform));
        copy.SRID = targetSrid;
        return copy;
    }

    private static readonly CoordinateTransformationFactory Factory = new();

    // ProjNet implements the common projections (UTM, Transverse Mercator, Lambert, Albers, Web Mercator …) but not every
    // one PostGIS knows (e.g. polar stereographic): such codes are answered as unsupported, not as a server error.
    private static MathTransform? Create(CoordinateSystem from, CoordinateSystem to)
    {
        try { return Factory.CreateFromCoordinateSystems(from, to).MathTransform; }
        catch (Exception e) when (e is NotSupportedException or NotImplementedException or ArgumentException or InvalidOperationException) { return null; }
    }

    private async Task<CoordinateSystem?> LoadAsync(int srid, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT srtext, proj4text FROM spatial_ref_sys WHERE srid = $1");
        cmd.Parameters.Add(new() { Value = srid });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        if (!await row.ReadAsync(ct) || row.IsDBNull(0) || row.GetString(0) is not { Length: > 0 } wkt) return null;
        // Web Mercator (3857 and its aliases 900913, 3785, 102100, 102113) projects lon/lat as if on a sphere. Its WKT says
        // Mercator_1SP on the WGS 84 ellipsoid, which ProjNet takes literally: latitudes came out up to ~9 km off. Only the
        // PROJ string says "sphere" (+a=+b), so it decides, and ProjNet's own pseudo-Mercator does the sums.
        if (!row.IsDBNull(1) && IsSphericalMercator(row.GetString(1))) return ProjectedCoordinateSystem.WebMercator;
        // Map coordinates only: a geocentric CRS (EPSG:4978, x/y/z from the earth's centre) read as x/y gave nonsense.
        try { return new CoordinateSystemFactory().CreateFromWkt(wkt) is var cs and (ProjectedCoordinateSystem or GeographicCoordinateSystem) ? cs : null; }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidCastException) { return null; }
    }

    /// <summary>PostGIS's PROJ string of every Web Mercator alias: a sphere of radius 6378137 m, no false origin or scale.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^\+proj=merc \+a=6378137 \+b=6378137 \+lat_ts=0(\.0)? \+lon_0=0(\.0)? \+x_0=0(\.0)? \+y_0=0 \+k=1(\.0)? \+units=m ")]
    private static partial System.Text.RegularExpressions.Regex SphericalMercator();

    private static bool IsSphericalMercator(string proj4) => SphericalMercator().IsMatch(proj4);

    private sealed class TransformFilter(MathTransform transform) : ICoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq, int i)
        {
            var (x, y) = transform.Transform(seq.GetX(i), seq.GetY(i));
            seq.SetX(i, x);
            seq.SetY(i, y);
        }
    }
}
