using System.Globalization;
using NapGeo.Layers;
using Npgsql;
using NpgsqlTypes;

namespace NapGeo.Features;

/// <summary>
/// The features an output CRS cannot express, found before a response starts: PostgreSQL reports a point PROJ refuses
/// only when the row is read, by then a 200 and the first rows are on their way and the client gets a truncated body.
/// <para>
/// What PROJ (9.x, through PostGIS ST_Transform) refuses, found by trying: lon/lat to Web Mercator, nothing (every
/// latitude, ±90° too, gets a northing: ±2.4e8 m at the poles), so 3857 needs no check. Lon/lat to WGS 84 / UTM,
/// through the Poder/Engsager transverse Mercator: the point whose normalized easting, after the series that corrects the
/// sphere to the ellipsoid, exceeds 2.623395162778. That is a "cap" around each of the two points on the equator 90°
/// from the zone's central meridian, reaching to 81.0° of longitude from it on the equator and ±7.7° of latitude 90° from
/// it. Inside the caps the series diverges: PROJ refuses most points but answers some with meaningless coordinates
/// (lon 85.475°, lat 0.645° in UTM 30N: northing −6.1e11 m).
/// </para>
/// <para>
/// So a point counts as unprojectable when its angle to the plane of the central meridian is at least
/// <see cref="ReachDegrees"/>: |sin(lon − central meridian) · cos(lat)| ≥ sin(80.999°). Every point PROJ refuses is
/// inside that (the smallest such angle is 80.9998°, on the equator; the test <c>CrsCoverageTests</c> checks a grid
/// against PostGIS), and so are the meaningless answers; the points it flags that PROJ projects lie as far out. Only
/// rows whose box touches the two boxes around the caps (18° wide, ±9° of latitude) are looked at, through the index.
/// </para>
/// </summary>
public static class CrsCoverage
{
    public const double ReachDegrees = 80.999;

    /// <summary>What the check found: how many (up to <see cref="MaxCounted"/>, and whether there are more) and a few ids.</summary>
    public sealed record Refusal(int Count, bool More, IReadOnlyList<Guid> Examples);

    public const int MaxCounted = 1000;

    /// <summary>True when <paramref name="crs"/> cannot express some lon/lat points (a UTM zone).</summary>
    public static bool Limited(OgcCrs crs) => crs.Srid / 100 is 326 or 327;

    private static double CentralMeridian(OgcCrs crs) => -183 + 6 * (crs.Srid % 100);

    /// <summary>
    /// SQL true when some vertex of <paramref name="geometry"/> (lon/lat) cannot be expressed in <paramref name="crs"/>;
    /// ST_Transform fails on vertices only. Null when every point can.
    /// </summary>
    public static string? RefusedSql(OgcCrs crs, string geometry, NpgsqlParameterCollection ps)
    {
        if (!Limited(crs)) return null;
        string Bind(double value)
        {
            ps.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Double });
            return "$" + ps.Count.ToString(CultureInfo.InvariantCulture);
        }
        var central = CentralMeridian(crs);
        var latitude = 90 - ReachDegrees; // |cos(lat)| ≥ sin(reach) only within 90° − reach of the equator
        var boxes = new List<string>();
        foreach (var (west, east) in (IEnumerable<(double, double)>)[(central + ReachDegrees, central + 180 - ReachDegrees), (central - 180 + ReachDegrees, central - ReachDegrees)])
        foreach (var (w, e) in WithinWorld(west, east))
            boxes.Add($"{geometry} && ST_MakeEnvelope({Bind(w)}, {Bind(-latitude)}, {Bind(e)}, {Bind(latitude)}, 4326)");
        var centralRadians = Bind(central * Math.PI / 180);
        var threshold = Bind(Math.Sin(ReachDegrees * Math.PI / 180));
        return $"(({string.Join(" OR ", boxes)}) AND EXISTS (SELECT 1 FROM ST_DumpPoints({geometry}) AS p " +
               $"WHERE abs(sin(radians(ST_X(p.geom)) - {centralRadians}) * cos(radians(ST_Y(p.geom)))) >= {threshold}))";
    }

    /// <summary>A range of longitudes as ranges within ±180°.</summary>
    private static IEnumerable<(double West, double East)> WithinWorld(double west, double east)
    {
        if (west < -180) { yield return (west + 360, 180); yield return (-180, east); }
        else if (east > 180) { yield return (west, 180); yield return (-180, east - 360); }
        else yield return (west, east);
    }

    /// <summary>The features of the query that its output CRS cannot express; null when there are none (or it can express all).</summary>
    public static async Task<Refusal?> FindAsync(NpgsqlConnection connection, ItemsQuery query, CancellationToken ct)
    {
        if (!Limited(query.Crs)) return null;
        var layer = query.Layer;
        await using var cmd = connection.CreateCommand();
        var where = LayerStore.Where(layer, query.Filter, cmd.Parameters);
        var refused = RefusedSql(query.Crs, "geom", cmd.Parameters)!;
        // No ORDER BY: sorted, the LIMIT could lead the planner to walk the order's index through the whole table for the
        // usual answer, no such feature; unsorted, the boxes' index finds them. The ids are examples, any will do.
        cmd.CommandText = $"SELECT id FROM {layer.Name}{(where.Length == 0 ? " WHERE " : where + " AND ")}{refused} " +
                          $"LIMIT {LayerStore.Bind(cmd.Parameters, MaxCounted + 1)}";
        var ids = new List<Guid>();
        await using (var row = await cmd.ExecuteReaderAsync(ct))
            while (await row.ReadAsync(ct)) ids.Add(row.GetGuid(0));
        return ids.Count == 0 ? null : new Refusal(Math.Min(ids.Count, MaxCounted), ids.Count > MaxCounted, ids.Take(3).ToList());
    }

    /// <summary>The 400 naming crs: how many features, which, why, and what to do.</summary>
    /// <param name="oneFeature">For /items/{featureId}, which takes no bbox: the way out is another CRS only.</param>
    public static IResult Problem(ItemsQuery query, Refusal refusal, bool oneFeature = false)
    {
        var central = CentralMeridian(query.Crs);
        string Degrees(double d) => d.ToString("0.###", CultureInfo.InvariantCulture);
        var (west, east) = (Wrap(central - 80), Wrap(central + 80));
        var count = refusal.More ? $"More than {MaxCounted}" : refusal.Count.ToString(CultureInfo.InvariantCulture);
        var why = $"from the zone's central meridian ({Degrees(central)}°), where PROJ's transverse Mercator has no coordinates";
        var errors = new ValidationErrors();
        errors.Add("crs", oneFeature
            ? $"The {query.Layer.Noun} {refusal.Examples[0]} cannot be expressed in {query.Crs.Uri}: it lies about 81° of longitude or more {why}. " +
              "Ask for CRS84 or the UTM zone of its own longitude."
            : $"{count} of the {query.Layer.Name} asked for cannot be expressed in {query.Crs.Uri}: they lie about 81° of longitude or more {why} " +
              $"(e.g. {string.Join(", ", refusal.Examples)}). Leave them out with a bbox within 80° of that meridian " +
              $"(bbox={Degrees(west)},-90,{Degrees(east)},90), or ask for CRS84 or the UTM zone of their own longitude.");
        return OgcApi.InvalidQuery(errors);
    }

    private static double Wrap(double lon) => lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
}
