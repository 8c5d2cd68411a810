using System.Text.RegularExpressions;

namespace NapGeo.Geometry;

/// <summary>Reads the ways clients name a CRS: EPSG:32630, urn:ogc:def:crs:EPSG::32630, an OGC URI, or CRS84.</summary>
public static partial class CrsName
{
    /// <summary>An EPSG code or CRS84, named exactly: a name merely ending in "CRS84" (XCRS84) is not one.</summary>
    public static bool TryParseSrid(string? text, out int srid)
    {
        srid = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        if (IsCrs84(text)) { srid = CrsTransforms.Wgs84; return true; }
        return TryParseEpsg(text, out srid);
    }

    /// <summary>An EPSG code written as EPSG:n, EPSG::n, an EPSG URN or an EPSG URI; nothing else.</summary>
    public static bool TryParseEpsg(string text, out int srid)
    {
        srid = 0;
        var m = EpsgPattern().Match(text.Trim());
        return m.Success && int.TryParse(m.Groups[1].Value, out srid) && srid > 0;
    }

    /// <summary>The names of OGC's CRS84 (WGS 84 longitude, latitude): its URI, CURIE and URNs, exactly.</summary>
    public static bool IsCrs84(string text) => Crs84Pattern().IsMatch(text.Trim());

    [GeneratedRegex(@"^(?:CRS84|OGC:CRS84|https?://www\.opengis\.net/def/crs/OGC/1\.3/CRS84|urn:ogc:def:crs:OGC:(?:1\.3)?:CRS84)$", RegexOptions.IgnoreCase)]
    private static partial Regex Crs84Pattern();

    [GeneratedRegex(@"^(?:EPSG:{1,2}|urn:ogc:def:crs:EPSG:[\d.]*:|https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/)(\d{1,6})$", RegexOptions.IgnoreCase)]
    private static partial Regex EpsgPattern();
}
