using System.Globalization;
using NapGeo.Geometry;

namespace NapGeo.Features;

/// <summary>
/// A CRS as OGC API – Features Part 2 names it. Storage is EPSG:4326 in lon/lat order, i.e. CRS84. EPSG:4326 asked for
/// by its URI means latitude first (the EPSG axis order); projected CRSs (3857, UTM) are easting, northing.
/// </summary>
public sealed record OgcCrs(int Srid, bool LatLonOrder, string Uri)
{
    public const string Crs84Uri = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    public static readonly OgcCrs Crs84 = new(CrsTransforms.Wgs84, false, Crs84Uri);

    public bool IsGeographic => Srid == CrsTransforms.Wgs84;

    /// <summary>
    /// The OGC URN of the pre-RFC 7946 GeoJSON <c>crs</c> member (urn:ogc:def:crs:EPSG::32630), which names the CRS in
    /// a saved file where no Content-Crs header survives; null for CRS84, the only CRS RFC 7946 GeoJSON has.
    /// </summary>
    public string? GeoJsonCrsName => Uri == Crs84Uri ? null : "urn:ogc:def:crs:EPSG::" + Srid.ToString(CultureInfo.InvariantCulture);

    /// <summary>Decimals of output coordinates: 7 for degrees (~1 cm), 3 for metres.</summary>
    public int Precision => IsGeographic ? 7 : 3;

    /// <summary>CRS84, EPSG:4326, Web Mercator and the 120 WGS 84 / UTM zones (326zz north, 327zz south).</summary>
    public static readonly IReadOnlyList<OgcCrs> Supported =
    [
        Crs84,
        Epsg(4326),
        Epsg(3857),
        .. Enumerable.Range(1, 60).Select(z => Epsg(32600 + z)),
        .. Enumerable.Range(1, 60).Select(z => Epsg(32700 + z)),
    ];

    public static OgcCrs Epsg(int srid) =>
        new(srid, srid == CrsTransforms.Wgs84, "http://www.opengis.net/def/crs/EPSG/0/" + srid.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Reads an OGC URI, a safe CURIE ([EPSG:32630], [OGC:CRS84]), EPSG:n or a URN, exactly (XCRS84 is not CRS84);
    /// null when not one of <see cref="Supported"/>.
    /// </summary>
    public static OgcCrs? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim();
        if (t.Length > 2 && t[0] == '[' && t[^1] == ']') t = t[1..^1];
        if (CrsName.IsCrs84(t)) return Crs84;
        if (!CrsName.TryParseEpsg(t, out var srid)) return null;
        return Supported.FirstOrDefault(c => c.Srid == srid && c.Uri != Crs84Uri);
    }

    public static string SupportedHint => "supported: CRS84 (" + Crs84Uri + "), EPSG:4326, EPSG:3857 and UTM zones EPSG:32601–32660 / 32701–32760, " +
                                          "written as http://www.opengis.net/def/crs/EPSG/0/<code>";

    /// <summary>Where a projected CRS's coordinates mean something (see <see cref="ProjectedDomain"/>); null for a geographic CRS.</summary>
    public ProjectedDomain? Domain => ProjectedDomain.For(Srid);

    /// <summary>
    /// SQL for a geographic geometry written in this CRS (<paramref name="geometrySql"/>) as lon/lat, the storage CRS:
    /// latitude-first EPSG:4326 is flipped. Projected geometries go through <see cref="Domain"/>.
    /// </summary>
    public string GeographicToLonLatSql(string geometrySql) => LatLonOrder ? $"(SELECT ST_FlipCoordinates({geometrySql}))" : geometrySql;

    /// <summary>
    /// SQL for the layer's geometry in this CRS, polygons counter-clockwise before any axis swap (points have no
    /// winding, so a point layer is spared the call).
    /// </summary>
    public string GeometrySql(Layers.LayerDefinition layer)
    {
        var sql = Srid == CrsTransforms.Wgs84 ? "geom" : $"ST_Transform(geom, {Srid.ToString(CultureInfo.InvariantCulture)})";
        if (!layer.IsPointLayer) sql = $"ST_ForcePolygonCCW({sql})";
        return LatLonOrder ? $"ST_FlipCoordinates({sql})" : sql;
    }
}
