namespace NapGeo.Tiles;

/// <summary>A tile of the web-mercator (XYZ, y down) pyramid.</summary>
public readonly record struct TileAddress(int Z, int X, int Y)
{
    public const int MaxZoom = 22;

    public static bool IsValid(int z, int x, int y) => z is >= 0 and <= MaxZoom && x >= 0 && y >= 0 && x < 1 << z && y < 1 << z;

    public override string ToString() => $"{Z}/{X}/{Y}";
}

/// <summary>A lon/lat box (west, south, east, north), e.g. the extent of a changed feature.</summary>
public readonly record struct LonLatBox(double West, double South, double East, double North)
{
    /// <summary>The middle of the box; across the antimeridian (west > east) it lies there, not half a world away.</summary>
    public (double Lon, double Lat) Center
    {
        get
        {
            var lon = (West + (East < West ? East + 360 : East)) / 2;
            return (lon > 180 ? lon - 360 : lon, (South + North) / 2);
        }
    }

    /// <summary>Tiles of zoom <paramref name="z"/> whose area, widened by <paramref name="margin"/> tile units, touches this box.</summary>
    public (int MinX, int MinY, int MaxX, int MaxY) TileRange(int z, double margin)
    {
        var n = 1 << z;
        int Clamp(double v) => (int)Math.Clamp(Math.Floor(v), 0, n - 1);
        return (Clamp(TileMath.LonToX(West, z) - margin), Clamp(TileMath.LatToY(North, z) - margin),
                Clamp(TileMath.LonToX(East, z) + margin), Clamp(TileMath.LatToY(South, z) + margin));
    }
}

public static class TileMath
{
    private const double MaxLatitude = 85.0511287798066;

    /// <summary>Fractional tile column of a longitude.</summary>
    public static double LonToX(double lon, int z) => (lon + 180.0) / 360.0 * (1 << z);

    /// <summary>Fractional tile row of a latitude (y grows southwards).</summary>
    public static double LatToY(double lat, int z)
    {
        var rad = Math.Clamp(lat, -MaxLatitude, MaxLatitude) * Math.PI / 180.0;
        return (1 - Math.Log(Math.Tan(rad) + 1 / Math.Cos(rad)) / Math.PI) / 2 * (1 << z);
    }

    /// <summary>
    /// The zoom a viewer opens an archive or a TileJSON at: the highest at which the bounds fit a 1024 × 768 px view of 512 px tiles
    /// (MapLibre's), within the zooms served. A fixed zoom opened a country's archive on the whole world, or a
    /// TileJSON of several countries on the sea between them.
    /// </summary>
    public static int FitZoom(LonLatBox bounds, int minZoom, int maxZoom)
    {
        var degrees = bounds.East - bounds.West;
        var width = (degrees < 0 ? degrees + 360 : degrees) / 360; // of the world at zoom 0; west > east crosses 180°
        var height = LatToY(bounds.South, 0) - LatToY(bounds.North, 0);
        var fit = Math.Min(Math.Log2(1024.0 / 512 / Math.Max(width, 1e-9)), Math.Log2(768.0 / 512 / Math.Max(height, 1e-9)));
        return Math.Clamp((int)Math.Floor(fit), minZoom, maxZoom);
    }

    public static LonLatBox Bounds(TileAddress t)
    {
        double n = 1 << t.Z;
        static double Lat(double y, double n) => Math.Atan(Math.Sinh(Math.PI * (1 - 2 * y / n))) * 180.0 / Math.PI;
        return new LonLatBox(t.X / n * 360.0 - 180.0, Lat(t.Y + 1, n), (t.X + 1) / n * 360.0 - 180.0, Lat(t.Y, n));
    }

    /// <summary>Every tile of zoom <paramref name="z"/> that covers part of <paramref name="box"/>.</summary>
    public static IEnumerable<TileAddress> Cover(LonLatBox box, int z)
    {
        var (minX, minY, maxX, maxY) = box.TileRange(z, 0);
        for (var x = minX; x <= maxX; x++)
            for (var y = minY; y <= maxY; y++)
                yield return new TileAddress(z, x, y);
    }
}
