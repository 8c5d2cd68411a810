using System.Globalization;
using NapGeo.Geometry;
using NetTopologySuite.Geometries;
using NpgsqlTypes;

namespace NapGeo.Features;

/// <summary>
/// Where the coordinates of a projected CRS of <see cref="OgcCrs.Supported"/> mean something, and how a box or a filter
/// geometry written in them is taken to lon/lat (the storage CRS) without asking PostGIS for the impossible: a box of
/// ±1e12 m densified every 10 km is 10⁸ vertices (PostgreSQL's "invalid memory alloc request"), and coordinates beyond
/// the projection's domain are refused by PROJ or wrap around the globe.
/// <list type="bullet">
/// <item>Web Mercator (3857) is cylindrical: easting alone gives the longitude and northing alone the latitude, so a box
/// is a lon/lat box (no densifying). Its world is the square of ±20 037 508.34 m: ±180° (beyond, PROJ wraps eastings
/// around the globe) and ±85.05° (EPSG's area of use; the rest of the way to the poles is infinitely long), so boxes
/// and geometries are cut to it, and features nearer the poles are not selected by a Web Mercator box or geometry.</item>
/// <item>WGS 84 / UTM is PROJ's Poder/Engsager transverse Mercator, whose inverse refuses eastings more than
/// <see cref="UtmEastingReach"/> (2.623395162778 × the normalized meridian quadrant, PROJ's own limit) from the false
/// easting, and whose northings repeat with a period of the meridian's whole length: a northing more than
/// <see cref="UtmHalfMeridian"/> from the false northing names a point that a smaller one names already. Boxes and
/// geometries are cut to that rectangle, which covers every coordinate PROJ gives a feature. Past the poles (northings
/// beyond ±<see cref="UtmQuarterMeridian"/>) lies the far side of the globe, more than 90° of longitude from the
/// central meridian: each side is taken to lon/lat on its own, since a ring over a pole is no ring in lon/lat.</item>
/// </list>
/// Edges stay straight in the projection but curve in lon/lat, so they are densified, every 10 km as long as that
/// makes at most <see cref="MaxVertices"/> vertices, with longer steps for larger geometries.
/// </summary>
public sealed class ProjectedDomain
{
    /// <summary>A part of a box or geometry, in the CRS, and how it is taken to lon/lat.</summary>
    public sealed record Piece(NetTopologySuite.Geometries.Geometry Geometry, bool Densify, bool AcrossAntimeridian);

    private sealed record Band(Envelope Extent, bool AcrossAntimeridian);

    private readonly IReadOnlyList<Band> _bands;
    private readonly bool _cylindrical;
    private readonly int _srid;

    /// <summary>The rectangle of meaningful coordinates, for messages.</summary>
    public string Description { get; }

    public const int MaxVertices = 2_000;
    private const double MinStep = 10_000;

    public const double WebMercatorHalfWorld = 20037508.342789244;

    // PROJ's setup_exact for WGS 84 and k0 = 0.9996: the normalized meridian quadrant Qn times a.
    private static readonly double UtmQnA = UtmNormalizedQuadrant();
    public static readonly double UtmEastingReach = UtmQnA * 2.623395162778;
    public static readonly double UtmQuarterMeridian = UtmQnA * Math.PI / 2;
    public static readonly double UtmHalfMeridian = UtmQnA * Math.PI;

    private static double UtmNormalizedQuadrant()
    {
        const double a = 6378137, f = 1 / 298.257223563;
        var n = f / (2 - f);
        var n2 = n * n;
        return a * 0.9996 / (1 + n) * (1 + n2 * (1 / 4.0 + n2 * (1 / 64.0 + n2 / 256.0)));
    }

    private ProjectedDomain(int srid, bool cylindrical, IReadOnlyList<Band> bands, string description)
    {
        _srid = srid;
        _cylindrical = cylindrical;
        _bands = bands;
        Description = description;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, ProjectedDomain?> Cache = new();

    /// <summary>The domain of a projected CRS of <see cref="OgcCrs.Supported"/>; null for a geographic one.</summary>
    public static ProjectedDomain? For(int srid) => Cache.GetOrAdd(srid, Create);

    private static ProjectedDomain? Create(int srid)
    {
        if (srid == 3857)
            return new ProjectedDomain(srid, cylindrical: true,
                [new Band(new Envelope(-WebMercatorHalfWorld, WebMercatorHalfWorld, -WebMercatorHalfWorld, WebMercatorHalfWorld), false)],
                "eastings and northings within ±20037508.34 m: ±180°, ±85.05°");
        if (srid / 100 is not (326 or 327)) return null;
        var zone = srid % 100;
        var northing0 = srid / 100 == 327 ? 10_000_000.0 : 0.0;
        // Just inside PROJ's limit: the inverse refuses an easting at the limit's last bit.
        var reach = UtmEastingReach * (1 - 1e-9);
        var (x0, x1) = (500_000 - reach, 500_000 + reach);
        var (q, h) = (UtmQuarterMeridian, UtmHalfMeridian * (1 - 1e-12));
        // The zone's own side of the globe (within 90° of its central meridian, −183° + 6° × zone) crosses ±180° when
        // the meridian lies beyond ±90°; its far side, 180° further, when the meridian does not.
        var centralBeyond90 = Math.Abs(-183 + 6 * zone) > 90;
        return new ProjectedDomain(srid, cylindrical: false,
        [
            new Band(new Envelope(x0, x1, northing0 - h, northing0 - q), !centralBeyond90),
            new Band(new Envelope(x0, x1, northing0 - q, northing0 + q), centralBeyond90),
            new Band(new Envelope(x0, x1, northing0 + q, northing0 + h), !centralBeyond90),
        ], string.Create(CultureInfo.InvariantCulture,
            $"eastings within {x0:0} to {x1:0} m, where PROJ's transverse Mercator ends, and northings within {northing0 - h:0} to {northing0 + h:0} m, beyond which they repeat"));
    }

    /// <summary>The parts of a box in this CRS that carry meaning; none when the box lies wholly outside.</summary>
    public IReadOnlyList<Piece> Clip(Envelope box)
    {
        var pieces = new List<Piece>();
        foreach (var band in _bands)
        {
            var part = band.Extent.Intersection(box);
            if (part.IsNull) continue;
            // A cylindrical projection maps a box to a lon/lat box: its corners say everything.
            pieces.Add(new Piece(Factory.ToGeometry(part), Densify: !_cylindrical, band.AcrossAntimeridian));
        }
        return pieces;
    }

    /// <summary>The parts of a (valid) geometry in this CRS that carry meaning; none when it lies wholly outside.</summary>
    public IReadOnlyList<Piece> Clip(NetTopologySuite.Geometries.Geometry geometry)
    {
        var envelope = geometry.EnvelopeInternal;
        var pieces = new List<Piece>();
        foreach (var band in _bands)
        {
            if (!band.Extent.Intersects(envelope)) continue;
            var part = band.Extent.Contains(envelope) ? geometry : Intersection(geometry, Factory.ToGeometry(band.Extent));
            if (!part.IsEmpty) pieces.Add(new Piece(part, Densify: true, band.AcrossAntimeridian));
        }
        return pieces;
    }

    private static readonly GeometryFactory Factory = NetTopologySuite.NtsGeometryServices.Instance.CreateGeometryFactory();

    /// <summary>NTS intersects no GeometryCollection as a whole: its members are cut one by one.</summary>
    private static NetTopologySuite.Geometries.Geometry Intersection(NetTopologySuite.Geometries.Geometry geometry, NetTopologySuite.Geometries.Geometry clip) =>
        geometry is GeometryCollection and not (MultiPoint or MultiLineString or MultiPolygon)
            ? Factory.BuildGeometry(Enumerable.Range(0, geometry.NumGeometries).Select(i => Intersection(geometry.GetGeometryN(i), clip)).Where(g => !g.IsEmpty).ToList())
            : geometry.Intersection(clip);

    /// <summary>
    /// SQL for the pieces as one lon/lat geometry, evaluated once per query; each piece and its densifying step are
    /// added as parameters through <paramref name="add"/>, which returns the placeholder. A filter with many geometries
    /// shares <see cref="MaxVertices"/> among them (<paramref name="maxVertices"/>), so its cost stays bounded too.
    /// </summary>
    public string ToLonLatSql(IReadOnlyList<Piece> pieces, Func<object, NpgsqlDbType?, string> add, int maxVertices = MaxVertices)
    {
        var parts = pieces.Select(piece =>
        {
            var geometry = piece.Geometry.Copy();
            geometry.SRID = _srid;
            var sql = add(geometry, null);
            if (piece.Densify)
                sql = $"ST_Segmentize({sql}, {add(Math.Max(MinStep, (geometry.Length + 1) / maxVertices), NpgsqlDbType.Double)})";
            sql = $"ST_Transform({sql}, {CrsTransforms.Wgs84})";
            // PROJ gives longitudes within ±180°: a part across the antimeridian would span the globe. Taken to 0…360°
            // (the part's longitudes stay within 180° of each other) and the part east of 180° moved back to −180…
            return piece.AcrossAntimeridian ? $"ST_WrapX(ST_ShiftLongitude({sql}), 180, -360)" : sql;
        }).ToList();
        // The sides of the globe share their edges (the meridians 90° from the central one): united, they are one
        // valid geometry, which every S_ function (S_WITHIN too) can compare against.
        return parts.Count == 1 ? $"(SELECT {parts[0]})" : $"(SELECT ST_UnaryUnion(ST_Collect(ARRAY[{string.Join(", ", parts)}])))";
    }
}
