using System.IO.Compression;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace NapGeo.Tiles;

/// <summary>An offline tile archive being written: tiles come in any order, <see cref="Finish"/> writes the file.</summary>
public interface ITileArchive : IDisposable
{
    int Count { get; }
    void Add(TileAddress tile, byte[] mvt);
    void Finish(string path, TileArchiveMetadata metadata);
}

public sealed record TileArchiveMetadata(string Name, string Description, string Attribution, JsonElement VectorLayers,
    int MinZoom, int MaxZoom, LonLatBox Bounds, int CenterZoom);

/// <summary>
/// MBTiles 1.3 (SQLite): gzip-compressed MVT in <c>tiles</c> with TMS rows (y flipped), TileJSON-style
/// <c>metadata</c> including the <c>json</c> row with vector_layers, as GDAL and tile servers expect.
/// </summary>
public sealed class MbTilesWriter : ITileArchive
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"napgeo-{Guid.NewGuid():N}.mbtiles");
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();
    private int _count;

    public MbTilesWriter()
    {
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
        _db.Open();
        Execute("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE metadata (name text, value text);
            CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);
            CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
            """);
    }

    public int Count { get { lock (_lock) return _count; } }

    public void Add(TileAddress tile, byte[] mvt)
    {
        using var compressed = new MemoryStream();
        using (var gz = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(mvt);
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO tiles VALUES ($z, $x, $row, $data)";
            cmd.Parameters.AddWithValue("$z", tile.Z);
            cmd.Parameters.AddWithValue("$x", tile.X);
            cmd.Parameters.AddWithValue("$row", (1 << tile.Z) - 1 - tile.Y);
            cmd.Parameters.AddWithValue("$data", compressed.ToArray());
            cmd.ExecuteNonQuery();
            _count++;
        }
    }

    public void Finish(string path, TileArchiveMetadata metadata)
    {
        var b = metadata.Bounds;
        string Number(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var rows = new Dictionary<string, string>
        {
            ["name"] = metadata.Name,
            ["description"] = metadata.Description,
            ["attribution"] = metadata.Attribution,
            ["format"] = "pbf",
            ["type"] = "overlay",
            ["version"] = "1",
            ["minzoom"] = metadata.MinZoom.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["maxzoom"] = metadata.MaxZoom.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["bounds"] = $"{Number(b.West)},{Number(b.South)},{Number(b.East)},{Number(b.North)}",
            ["center"] = $"{Number(b.Center.Lon)},{Number(b.Center.Lat)},{metadata.CenterZoom}",
            ["json"] = JsonSerializer.Serialize(new { vector_layers = metadata.VectorLayers }),
        };
        lock (_lock)
        {
            foreach (var (name, value) in rows)
            {
                using var cmd = _db.CreateCommand();
                cmd.CommandText = "INSERT INTO metadata VALUES ($name, $value)";
                cmd.Parameters.AddWithValue("$name", name);
                cmd.Parameters.AddWithValue("$value", value);
                cmd.ExecuteNonQuery();
            }
            _db.Close();
        }
        File.Copy(_path, path, overwrite: true);
    }

    private void Execute(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _db.Dispose();
        File.Delete(_path);
    }
}
