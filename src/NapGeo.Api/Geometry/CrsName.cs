using System.Text.RegularExpressions;

namespace NapGeo.Geometry;

/// <summary>Reads the ways clients name a CRS: EPSG:32630, urn:ogc:def:crs:EPSG::32630, an OGC URI, or CRS84.</summary>
public static partial class CrsName
{
    public static bool TryParseSrid(string? text, out int srid)
    {
        srid = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        if (t.EndsWith("CRS84", StringComparison.OrdinalIgnoreCase)) { srid = CrsTransforms.Wgs84; return true; }
        var m = EpsgPattern().Match(t);
        return m.Success && int.TryParse(m.Groups[1].Value, out srid) && srid > 0;
    }

    [GeneratedRegex(@"^(?:EPSG:{1,2}|urn:ogc:def:crs:EPSG:[\d.]*:|https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/)(\d{1,6})$", RegexOptions.IgnoreCase)]
    private static partial Regex EpsgPattern();
}
