using NetTopologySuite.Geometries;

namespace NapGeo.Features.Cql2;

/// <summary>The spatial and temporal predicates of CQL2 and the SQL each becomes.</summary>
public static class CqlFunctions
{
    /// <summary>CQL2 spatial predicates → PostGIS functions of the same meaning (DE-9IM based, as in Simple Features).</summary>
    public static readonly IReadOnlyDictionary<string, string> Spatial = new Dictionary<string, string>
    {
        ["S_INTERSECTS"] = "ST_Intersects", ["S_DISJOINT"] = "ST_Disjoint", ["S_CONTAINS"] = "ST_Contains",
        ["S_WITHIN"] = "ST_Within", ["S_EQUALS"] = "ST_Equals", ["S_TOUCHES"] = "ST_Touches",
        ["S_CROSSES"] = "ST_Crosses", ["S_OVERLAPS"] = "ST_Overlaps",
    };

    /// <summary>
    /// CQL2 temporal predicates over half-open intervals a = [a0, a1) and b = [b0, b1): a date d is [d, d+1 day),
    /// an instant t is [t, t+1 µs). {0}=a0 {1}=a1 {2}=b0 {3}=b1, and {4}, {5} the closed ends of a and b (the last date
    /// or instant named). BEFORE/AFTER include touching ends (a sample of 1 Jan is before DATE('2024-01-02')). MEETS,
    /// METBY, OVERLAPS and OVERLAPPEDBY compare the closed ends as CQL2 defines them: INTERVAL('2024-01-01','2024-01-10')
    /// meets, and does not overlap, INTERVAL('2024-01-10','2024-01-20').
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Temporal = new Dictionary<string, string>
    {
        ["T_INTERSECTS"] = "({0} < {3} AND {1} > {2})",
        ["T_DISJOINT"] = "NOT ({0} < {3} AND {1} > {2})",
        ["T_DURING"] = "({0} > {2} AND {1} < {3})",
        ["T_CONTAINS"] = "({0} < {2} AND {1} > {3})",
        ["T_EQUALS"] = "({0} = {2} AND {1} = {3})",
        ["T_BEFORE"] = "({1} <= {2})",
        ["T_AFTER"] = "({0} >= {3})",
        ["T_MEETS"] = "({4} = {2})",
        ["T_METBY"] = "({0} = {5})",
        ["T_STARTS"] = "({0} = {2} AND {1} < {3})",
        ["T_STARTEDBY"] = "({0} = {2} AND {1} > {3})",
        ["T_FINISHES"] = "({0} > {2} AND {1} = {3})",
        ["T_FINISHEDBY"] = "({0} < {2} AND {1} = {3})",
        ["T_OVERLAPS"] = "({0} < {2} AND {4} > {2} AND {4} < {5})",
        ["T_OVERLAPPEDBY"] = "({0} > {2} AND {0} < {5} AND {4} > {5})",
    };

    /// <summary>
    /// The functions CQL2 (OGC 21-065, 7.x, temporal functions, second table) defines on intervals only: "using these
    /// functions with instants will result in a client error". Read with an instant as a tiny interval, T_DURING(survey_date,
    /// INTERVAL('2024-03-01','2024-03-31')) left out the sites surveyed on 1 and 31 March.
    /// </summary>
    public static readonly IReadOnlySet<string> IntervalsOnly = new HashSet<string>
        { "T_CONTAINS", "T_DURING", "T_FINISHEDBY", "T_FINISHES", "T_MEETS", "T_METBY", "T_OVERLAPPEDBY", "T_OVERLAPS", "T_STARTEDBY", "T_STARTS" };

    public static string SpatialList => string.Join(", ", Spatial.Keys);
    public static string TemporalList => string.Join(", ", Temporal.Keys);

    /// <summary>The message for arithmetic (+, -, *, /, %, ^, div), which neither encoding implements.</summary>
    public static string NoArithmetic(string what) =>
        $"arithmetic is not supported ({what}); compare a property with a value or another property as they are";

    public static bool IsKnown(string upperName) => Spatial.ContainsKey(upperName) || Temporal.ContainsKey(upperName);
}

public static class CqlGeometries
{
    private static readonly GeometryFactory Factory = NetTopologySuite.NtsGeometryServices.Instance.CreateGeometryFactory();

    public const string MinimumExceedsMaximum = "BBOX minimum exceeds maximum";

    /// <summary>
    /// BBOX(minx, miny, maxx, maxy). As with bbox= (Part 1, 7.15.3), a west edge east of the east edge (170,-10,-170,10)
    /// is a box across the antimeridian: its two halves, to ±180 on the axis that wraps.
    /// </summary>
    public static CqlGeometry Box(double minX, double minY, double maxX, double maxY, string at)
    {
        if (!double.IsFinite(minX) || !double.IsFinite(minY) || !double.IsFinite(maxX) || !double.IsFinite(maxY))
            throw new CqlException("BBOX takes finite numbers", at);
        if (minX > maxX && minY > maxY) throw new CqlException(MinimumExceedsMaximum, at);
        if (minX > maxX) return Wrapped(minX, maxX, at, x => new Envelope(x.Lo, x.Hi, minY, maxY), axis: 0);
        if (minY > maxY) return Wrapped(minY, maxY, at, y => new Envelope(minX, maxX, y.Lo, y.Hi), axis: 1);
        return new CqlGeometry(at, Factory.ToGeometry(new Envelope(minX, maxX, minY, maxY)));
    }

    private static CqlGeometry Wrapped(double west, double east, string at, Func<(double Lo, double Hi), Envelope> box, int axis)
    {
        // Each half must be a box of its own: a west edge at 180 or beyond (or an east edge at -180) is no crossing.
        if (west >= 180 || east <= -180) throw new CqlException(MinimumExceedsMaximum, at);
        var halves = new[] { box((west, 180)), box((-180, east)) }.Select(e => (Polygon)Factory.ToGeometry(e)).ToArray();
        return new CqlGeometry(at, Factory.CreateMultiPolygon(halves), axis);
    }

    /// <summary>
    /// A geometry literal as read, if PostGIS can compute with it: finite coordinates and valid in the OGC sense. GEOS
    /// fails on an invalid literal (say, overlapping parts of a multipolygon) in the middle of the query, which would
    /// reach the client as a server error instead of saying what is wrong with the filter.
    /// </summary>
    public static NetTopologySuite.Geometries.Geometry Checked(NetTopologySuite.Geometries.Geometry geometry, string at)
    {
        if (geometry.Coordinates.Any(c => !double.IsFinite(c.X) || !double.IsFinite(c.Y)))
            throw new CqlException("the geometry's coordinates must be finite numbers", at);
        // Empty, it makes every spatial predicate false (S_DISJOINT true of every feature): not what was meant.
        if (geometry.IsEmpty) throw new CqlException("the geometry is empty", at);
        // NTS reads and validates POLYGON((…), EMPTY) without complaint, but PostGIS refuses a ring of fewer than four
        // points mid-query ("Polygon must have at least four points in each ring"): a 500 instead of a 400.
        if (EmptyPart(geometry) is { } part)
            throw new CqlException($"the geometry has an empty {part} (EMPTY); leave it out", at);
        var error = new NetTopologySuite.Operation.Valid.IsValidOp(geometry).ValidationError;
        if (error is not null)
            throw new CqlException($"the geometry is not valid: {error.Message} at ({Number(error.Coordinate.X)} {Number(error.Coordinate.Y)})", at);
        return geometry.OgcGeometryType == OgcGeometryType.GeometryCollection ? Union(geometry, at) : geometry;
    }

    /// <summary>
    /// A GEOMETRYCOLLECTION as the point set it names. Its members may overlap (Simple Features sets no rule between
    /// them, unlike the parts of a MULTIPOLYGON), and NTS finds each member valid, but GEOS fails mid-query on
    /// overlapping polygons ("TopologyException: side location conflict"): a 500, in CSV downloads after the header.
    /// The union covers the same points with the same dimension, and GEOS's newer relate (RelateNG) defines a
    /// collection's interior and boundary as its union's, so every S_ function answers for the union what it means
    /// for the collection.
    /// </summary>
    private static NetTopologySuite.Geometries.Geometry Union(NetTopologySuite.Geometries.Geometry collection, string at)
    {
        try
        {
            var union = NetTopologySuite.Operation.Union.UnaryUnionOp.Union(collection);
            if (union is null || union.IsEmpty) throw new CqlException("the geometry is empty", at);
            return union;
        }
        catch (TopologyException e)
        {
            throw new CqlException($"the members of the GEOMETRYCOLLECTION cannot be joined into one geometry: {e.Message}", at);
        }
    }

    private static string? EmptyPart(NetTopologySuite.Geometries.Geometry geometry) => geometry switch
    {
        GeometryCollection collection => collection.Geometries
            .Select(member => member.IsEmpty ? $"{member.GeometryType.ToUpperInvariant()} inside the {collection.GeometryType.ToUpperInvariant()}" : EmptyPart(member))
            .FirstOrDefault(part => part is not null),
        Polygon polygon => polygon.Holes.Any(hole => hole.IsEmpty) ? "ring inside a POLYGON" : null,
        _ => null,
    };

    private static string Number(double value) => value.ToString("G10", System.Globalization.CultureInfo.InvariantCulture);
}
