using System.IO.Compression;
using System.Security.Cryptography;

namespace NapGeo.Tiles;

/// <summary>
/// Writes a PMTiles v3 archive (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): a 127-byte header,
/// a root directory within the first 16 KiB, JSON metadata, leaf directories and the tile data. Tiles are stored
/// gzip-compressed, clustered in tile-id (Hilbert) order; identical tiles are stored once and consecutive ones
/// become a run. No maintained .NET PMTiles writer is on the package feed, hence this small one.
/// Tiles are spooled to a temporary file while they arrive in any order, so memory holds only the index.
/// </summary>
public sealed class PmTilesWriter : ITileArchive
{
    private const int HeaderLength = 127;
    private const int RootLimit = 16384 - HeaderLength;
    private const byte CompressionGzip = 2, TileTypeMvt = 1;

    private readonly string _spoolPath = Path.GetTempFileName();
    private readonly FileStream _spool;
    private readonly List<(ulong TileId, long Offset, int Length, string Hash)> _tiles = [];
    private readonly Lock _lock = new();

    public PmTilesWriter() => _spool = new FileStream(_spoolPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);

    public int Count { get { lock (_lock) return _tiles.Count; } }

    /// <summary>Adds a tile (uncompressed MVT bytes); empty tiles are simply not added.</summary>
    public void Add(TileAddress tile, byte[] mvt)
    {
        var compressed = Gzip(mvt);
        var hash = Convert.ToHexString(SHA256.HashData(compressed));
        lock (_lock)
        {
            var offset = _spool.Length;
            _spool.Seek(0, SeekOrigin.End);
            _spool.Write(compressed);
            _tiles.Add((TileId(tile), offset, compressed.Length, hash));
        }
    }

    public void Finish(string path, TileArchiveMetadata metadata)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new
        {
            name = metadata.Name, description = metadata.Description, attribution = metadata.Attribution, vector_layers = metadata.VectorLayers,
        });
        using var file = File.Create(path);
        WriteTo(file, new Metadata(json, metadata.MinZoom, metadata.MaxZoom, metadata.Bounds, metadata.CenterZoom));
    }

    public sealed record Metadata(string Json, int MinZoom, int MaxZoom, LonLatBox Bounds, int CenterZoom);

    public void WriteTo(Stream output, Metadata metadata)
    {
        // Tile data in tile-id order, each distinct content once; runs of equal consecutive tiles share one entry.
        var entries = new List<Entry>();
        var stored = new Dictionary<string, (ulong Offset, uint Length)>();
        var tileData = Path.GetTempFileName();
        using (var dataFile = new FileStream(tileData, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose))
        {
            foreach (var t in _tiles.OrderBy(t => t.TileId))
            {
                if (!stored.TryGetValue(t.Hash, out var at))
                {
                    var bytes = new byte[t.Length];
                    _spool.Seek(t.Offset, SeekOrigin.Begin);
                    _spool.ReadExactly(bytes);
                    at = ((ulong)dataFile.Length, (uint)t.Length);
                    dataFile.Write(bytes);
                    stored[t.Hash] = at;
                }
                if (entries.Count > 0 && entries[^1] is var last && last.Offset == at.Offset && last.TileId + last.RunLength == t.TileId)
                    entries[^1] = last with { RunLength = last.RunLength + 1 };
                else
                    entries.Add(new Entry(t.TileId, at.Offset, at.Length, 1));
            }

            var (root, leaves) = Directories(entries);
            var meta = Gzip(System.Text.Encoding.UTF8.GetBytes(metadata.Json));
            ulong rootOffset = HeaderLength, metaOffset = rootOffset + (ulong)root.Length, leafOffset = metaOffset + (ulong)meta.Length,
                dataOffset = leafOffset + (ulong)leaves.Length;

            var header = new byte[HeaderLength];
            "PMTiles"u8.CopyTo(header);
            header[7] = 3;
            void U64(int at, ulong v) => BitConverter.TryWriteBytes(header.AsSpan(at, 8), v);
            void I32(int at, double degrees) => BitConverter.TryWriteBytes(header.AsSpan(at, 4), (int)Math.Round(degrees * 1e7));
            U64(8, rootOffset); U64(16, (ulong)root.Length);
            U64(24, metaOffset); U64(32, (ulong)meta.Length);
            U64(40, leafOffset); U64(48, (ulong)leaves.Length);
            U64(56, dataOffset); U64(64, (ulong)dataFile.Length);
            U64(72, (ulong)_tiles.Count); U64(80, (ulong)entries.Count); U64(88, (ulong)stored.Count);
            header[96] = 1; // clustered
            header[97] = CompressionGzip;
            header[98] = CompressionGzip;
            header[99] = TileTypeMvt;
            header[100] = (byte)metadata.MinZoom;
            header[101] = (byte)metadata.MaxZoom;
            var b = metadata.Bounds;
            I32(102, b.West); I32(106, b.South); I32(110, b.East); I32(114, b.North);
            header[118] = (byte)metadata.CenterZoom;
            I32(119, b.Center.Lon); I32(123, b.Center.Lat);

            output.Write(header);
            output.Write(root);
            output.Write(meta);
            output.Write(leaves);
            dataFile.Seek(0, SeekOrigin.Begin);
            dataFile.CopyTo(output);
        }
    }

    private readonly record struct Entry(ulong TileId, ulong Offset, uint Length, uint RunLength);

    /// <summary>The root directory alone if it fits in the first 16 KiB, else a root of leaf pointers (run length 0).</summary>
    private static (byte[] Root, byte[] Leaves) Directories(List<Entry> entries)
    {
        var root = Gzip(Serialize(entries));
        if (root.Length <= RootLimit) return (root, []);
        for (var leafSize = Math.Max(4096, entries.Count / 3500); ; leafSize = (int)(leafSize * 1.2))
        {
            using var leaves = new MemoryStream();
            var pointers = new List<Entry>();
            for (var i = 0; i < entries.Count; i += leafSize)
            {
                var leaf = Gzip(Serialize(entries.GetRange(i, Math.Min(leafSize, entries.Count - i))));
                pointers.Add(new Entry(entries[i].TileId, (ulong)leaves.Length, (uint)leaf.Length, 0));
                leaves.Write(leaf);
            }
            root = Gzip(Serialize(pointers));
            if (root.Length <= RootLimit) return (root, leaves.ToArray());
        }
    }

    private static byte[] Serialize(List<Entry> entries)
    {
        using var s = new MemoryStream();
        void Varint(ulong v)
        {
            while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
            s.WriteByte((byte)v);
        }
        Varint((ulong)entries.Count);
        ulong last = 0;
        foreach (var e in entries) { Varint(e.TileId - last); last = e.TileId; }
        foreach (var e in entries) Varint(e.RunLength);
        foreach (var e in entries) Varint(e.Length);
        for (var i = 0; i < entries.Count; i++)
            Varint(i > 0 && entries[i].Offset == entries[i - 1].Offset + entries[i - 1].Length ? 0 : entries[i].Offset + 1);
        return s.ToArray();
    }

    /// <summary>The PMTiles tile id: tiles of all lower zooms first, then the position on the zoom's Hilbert curve.</summary>
    public static ulong TileId(TileAddress tile)
    {
        var z = tile.Z;
        ulong acc = ((1UL << z) * (1UL << z) - 1) / 3;
        long tx = tile.X, ty = tile.Y;
        for (long a = z == 0 ? 0 : 1L << (z - 1); a > 0; a >>= 1)
        {
            long rx = (tx & a) != 0 ? 1 : 0, ry = (ty & a) != 0 ? 1 : 0;
            acc += (ulong)(a * a * ((3 * rx) ^ ry));
            if (ry == 0)
            {
                if (rx == 1) { tx = a - 1 - tx; ty = a - 1 - ty; }
                (tx, ty) = (ty, tx);
            }
        }
        return acc;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var s = new MemoryStream();
        using (var gz = new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return s.ToArray();
    }

    public void Dispose()
    {
        _spool.Dispose();
        File.Delete(_spoolPath);
    }
}
