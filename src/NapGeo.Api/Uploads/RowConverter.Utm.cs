using System.Globalization;
using NapGeo.Geometry;
using NapGeo.Samples;

namespace NapGeo.Uploads;

/// <summary>UTM zones as field sheets and GPS units write them: a hemisphere (30N, 31S) or a latitude band (30P, 18M).</summary>
public sealed partial class RowConverter
{
    // MGRS latitude bands, 8° each from 80°S; X runs on to 84°N.
    private const string Bands = "cdefghjklmnpqrstuvwx";

    // A band's edges are only as sharp as the northing a team noted near them (and the footpoint below ignores the easting's
    // small effect): a point within a degree of its band is taken as written.
    private const double BandTolerance = 1;

    /// <summary>
    /// "30N", "30 N", "zone 31s" → EPSG:32630, 32731 (WGS 84 / UTM). GPS units write a latitude band instead of the
    /// hemisphere (northern Ghana is 30P): C–M are south of the equator, N–X north, except S, which is read as "south"
    /// as most sheets mean it (see <see cref="UtmBandProblem"/> for where it cannot be). A bare zone number (30) takes its
    /// hemisphere from <paramref name="crs"/> when that is a UTM code (EPSG:327zz is south).
    /// </summary>
    public static int? UtmZone(string text, string? crs = null)
    {
        var folded = FoldZone(text);
        if (crs is not null && int.TryParse(folded, NumberStyles.None, CultureInfo.InvariantCulture, out var bare) && bare is >= 1 and <= 60 &&
            CrsName.TryParseSrid(crs, out var srid) && srid / 100 is 326 or 327)
            return srid / 100 * 100 + bare;
        if (folded.Length < 2) return null;
        var letter = folded[^1];
        if (letter is < 'c' or > 'x' or 'i' or 'o' || !int.TryParse(folded[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var zone) || zone is < 1 or > 60)
            return null;
        return (letter is >= 'n' and not 's' ? 32600 : 32700) + zone;
    }

    private static string FoldZone(string text) => Units.Fold(text).Replace("zone", "").Replace(" ", "");

    /// <summary>
    /// Why <paramref name="northing"/> cannot be in the zone as written (<see cref="UtmZone"/> gave <paramref name="epsg"/>), or null.
    /// A band letter names where the point is, so a northing outside it is a wrong letter or a wrong northing: 30M with
    /// 620,000 m was placed at 84°S. S is both a hemisphere and band S (32–40°N, Tajikistan's 42S): it is read as south,
    /// but where that lands beyond 50°S, far from any mining, while band S fits, the sheet's meaning is unknown.
    /// </summary>
    public static string? UtmBandProblem(string text, int epsg, double northing)
    {
        var folded = FoldZone(text);
        var band = folded.Length < 2 ? -1 : Bands.IndexOf(folded[^1]);
        if (band < 0 || !int.TryParse(folded[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var zone)) return null;
        var letter = char.ToUpperInvariant(folded[^1]);
        var latitude = FootpointLatitude(northing, south: epsg / 100 == 327);
        var (from, to) = (-80 + 8 * band, band == Bands.Length - 1 ? 84 : -72 + 8 * band);
        if (letter == 'S')
        {
            var north = FootpointLatitude(northing, south: false);
            if (latitude >= -50 || north < from - BandTolerance || north > to + BandTolerance) return null;
            return string.Create(CultureInfo.InvariantCulture,
                $"zone {text.Trim()} is ambiguous here: read as the southern hemisphere it puts the northing {northing:0.###} m at {Latitude(latitude)}, " +
                $"read as GPS latitude band S (32°N–40°N) at {Latitude(north)}. Write the zone as {zone}N for the northern hemisphere or with its " +
                $"southern band letter ({zone}{BandOf(latitude)}), or leave the zone unread (mapping={{\"zone\":null}}) and send crs=EPSG:326{zone:00} or EPSG:327{zone:00}.");
        }
        if (letter == 'N' || latitude >= from - BandTolerance && latitude <= to + BandTolerance) return null;
        var other = FootpointLatitude(northing, south: epsg / 100 != 327);
        return string.Create(CultureInfo.InvariantCulture,
            $"zone {text.Trim()} is latitude band {letter} ({Latitude(from)}–{Latitude(to)}), but the northing {northing:0.###} m is at {Latitude(latitude)} there " +
            $"({Latitude(other)} in the other hemisphere, band {BandOf(other)}): check the zone's letter and the northing.");
    }

    private static string Latitude(double degrees) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Abs(degrees):0.##}°{(degrees < 0 ? "S" : degrees > 0 ? "N" : "")}");

    private static char BandOf(double latitude) => char.ToUpperInvariant(Bands[Math.Clamp((int)Math.Floor((latitude + 80) / 8), 0, Bands.Length - 1)]);

    /// <summary>The latitude of a UTM northing on the zone's central meridian (Snyder's footpoint series, WGS 84).</summary>
    private static double FootpointLatitude(double northing, bool south)
    {
        const double a = 6378137, f = 1 / 298.257223563, k0 = 0.9996;
        var e2 = f * (2 - f);
        var m = (south ? northing - 10_000_000 : northing) / k0;
        var mu = m / (a * (1 - e2 / 4 - 3 * e2 * e2 / 64 - 5 * e2 * e2 * e2 / 256));
        var e1 = (1 - Math.Sqrt(1 - e2)) / (1 + Math.Sqrt(1 - e2));
        var phi = mu + (3 * e1 / 2 - 27 * Math.Pow(e1, 3) / 32) * Math.Sin(2 * mu) + (21 * e1 * e1 / 16 - 55 * Math.Pow(e1, 4) / 32) * Math.Sin(4 * mu)
                  + 151 * Math.Pow(e1, 3) / 96 * Math.Sin(6 * mu) + 1097 * Math.Pow(e1, 4) / 512 * Math.Sin(8 * mu);
        return phi * 180 / Math.PI;
    }
}
