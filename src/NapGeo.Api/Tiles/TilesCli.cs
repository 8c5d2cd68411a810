using System.CommandLine;
using System.Globalization;
using NapGeo.Database;

namespace NapGeo.Tiles;

/// <summary><c>./napgeo tiles export …</c>: offline archives of the tiles the server serves.</summary>
public static class TilesCli
{
    public static Command Command(Func<string> connectionString)
    {
        var layer = new Option<string>("--layer") { Description = "Tile source: sites, hotspots, samples or napgeo (all)", DefaultValueFactory = _ => TileService.AllLayersSource };
        var minZoom = new Option<int>("--minzoom") { DefaultValueFactory = _ => 0 };
        var maxZoom = new Option<int>("--maxzoom") { DefaultValueFactory = _ => 14 };
        var bbox = new Option<string?>("--bbox") { Description = "W,S,E,N in degrees; default: the extent of the data" };
        var output = new Option<FileInfo>("--out") { Description = "Archive to write: .pmtiles (PMTiles v3) or .mbtiles (MBTiles 1.3)", Required = true };
        var export = new Command("export", "Write the tiles of a zoom range to a PMTiles v3 or MBTiles archive (progress on stderr)") { layer, minZoom, maxZoom, bbox, output };
        export.SetAction(async (parse, ct) =>
        {
            var (min, max) = (parse.GetValue(minZoom), parse.GetValue(maxZoom));
            if (min < 0 || max > TileAddress.MaxZoom || min > max)
            {
                Console.Error.WriteLine($"--minzoom/--maxzoom must satisfy 0 <= min <= max <= {TileAddress.MaxZoom}.");
                return 2;
            }
            LonLatBox? box = null;
            if (parse.GetValue(bbox) is { } text)
            {
                var parts = text.Split(',').Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray();
                if (parts.Length != 4 || parts.Any(double.IsNaN) || parts[0] >= parts[2] || parts[1] >= parts[3])
                {
                    Console.Error.WriteLine("--bbox must be W,S,E,N in degrees with W < E and S < N, e.g. -3.3,4.7,1.2,11.2.");
                    return 2;
                }
                box = new LonLatBox(parts[0], parts[1], parts[2], parts[3]);
            }
            var connection = connectionString();
            NapGeoDatabase.Migrate(connection, TextWriter.Null);
            await using var db = NapGeoDatabase.Create(connection);
            var service = new TileService(db, ServerOptions());
            if (service.Find(parse.GetValue(layer)!) is not { } source)
            {
                Console.Error.WriteLine($"Unknown layer '{parse.GetValue(layer)}' (known: {string.Join(", ", service.Sources.Keys)}).");
                return 2;
            }
            var path = parse.GetValue(output)!.FullName;
            if (!path.EndsWith(".pmtiles", StringComparison.OrdinalIgnoreCase) && !path.EndsWith(".mbtiles", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine("--out must name a .pmtiles (PMTiles v3) or .mbtiles (MBTiles 1.3) file.");
                return 2;
            }
            var result = await TileExport.RunAsync(new TileExport.Request(source, min, max, box, path), service, Console.Error, ct);
            Console.WriteLine($"{path}: {result.Tiles} tiles, {result.Bytes} bytes, z{min}-{max}, bounds {result.Bounds.West},{result.Bounds.South},{result.Bounds.East},{result.Bounds.North}");
            return 0;
        });
        return new Command("tiles", "Vector tiles") { export, Sql() };
    
    }

    /// <summary>
    /// The server's <c>Tiles</c> settings, read from the same places (appsettings.json, then <c>Tiles__…</c> environment
    /// variables): an archive holds the tiles the server serves only if both cluster and aggregate alike.
    /// </summary>
    private static TileOptions ServerOptions() =>
        new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables().Build().GetSection("Tiles").Get<TileOptions>() ?? new TileOptions();

    /// <summary>Prints the statement a tile runs, for pgbench and EXPLAIN (bench/tiles uses it as the database floor).</summary>
    private static Command Sql()
    {
        var layer = new Option<string>("--layer") { DefaultValueFactory = _ => TileService.AllLayersSource };
        var zoom = new Option<int>("--zoom") { Required = true };
        var sql = new Command("sql", "Print the SQL of an unfiltered tile of this zoom: $1 z, $2 x, $3 y, $8 exceedance classes ($4-$7, $9, $10: filters, unused here)") { layer, zoom };
        sql.SetAction(parse =>
        {
            // Building the statements needs no connection; the data source is never opened.
            using var db = NapGeoDatabase.Create("Host=unused");
            var service = new TileService(db, ServerOptions());
            if (service.Find(parse.GetValue(layer)!) is not PostGisTileSource source)
            {
                Console.Error.WriteLine($"Unknown layer '{parse.GetValue(layer)}'.");
                return 2;
            }
            Console.WriteLine(source.Sql(parse.GetValue(zoom), TileFilter.None));
            return 0;
        });
        return sql;
    }
}
