using System.Collections.Concurrent;

namespace NapGeo.Tiles;

public readonly record struct TileKey(string Source, TileAddress Tile, string Query);

/// <summary>A rendered tile: its bytes (empty = no features) and a strong ETag made from them.</summary>
public sealed record CachedTile(byte[] Data, string ETag);

public sealed record TileCacheStats(int Tiles, long Bytes, long MaxBytes, long Hits, long Misses, long Evictions, long Invalidated, long Generation);

/// <summary>
/// In-process tile cache, bounded by bytes, evicting the least recently used tiles. Entries only leave by eviction
/// or by invalidation (<see cref="Invalidate"/>, driven by database notifications): there is no TTL, so it is exact
/// rather than eventually fresh. A render that overlaps an invalidation is not stored (see <see cref="Generation"/>).
/// Reads take no lock (they are the hot path of warm tiles); writes, evictions and invalidations are serialized.
/// </summary>
public sealed class TileCache(long maxBytes)
{
    // Rough per-entry overhead (key, entry, record) so that many empty tiles still count against the bound.
    private const int EntryOverhead = 200;
    private readonly ConcurrentDictionary<TileKey, Entry> _entries = new();
    private readonly Lock _write = new();
    private long _bytes, _hits, _misses, _evictions, _invalidated, _generation;

    private sealed class Entry(CachedTile tile)
    {
        public CachedTile Tile { get; } = tile;
        public long LastUsed = Environment.TickCount64;
    }

    /// <summary>Changes on every invalidation; a render stores its result only if it did not change meanwhile.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public CachedTile? Get(TileKey key)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            entry.LastUsed = Environment.TickCount64;
            Interlocked.Increment(ref _hits);
            return entry.Tile;
        }
        Interlocked.Increment(ref _misses);
        return null;
    }

    public bool Contains(TileKey key) => _entries.ContainsKey(key);

    /// <summary>Stores a tile rendered since <paramref name="generation"/>; false when an invalidation came in between or it does not fit.</summary>
    public bool Add(TileKey key, CachedTile tile, long generation)
    {
        var size = Size(tile);
        if (size > maxBytes) return false;
        lock (_write)
        {
            if (generation != _generation) return false;
            if (_entries.TryRemove(key, out var old)) _bytes -= Size(old.Tile);
            _entries[key] = new Entry(tile);
            _bytes += size;
            if (_bytes > maxBytes) EvictLocked();
            return true;
        }
    }

    /// <summary>Drops every tile of <paramref name="sources"/>, at every zoom, whose buffered area touches one of the boxes.</summary>
    public int Invalidate(IReadOnlySet<string> sources, IReadOnlyList<LonLatBox> boxes, double margin)
    {
        // Tile ranges per zoom and box, computed once; entries are then checked by their address.
        var ranges = new (int MinX, int MinY, int MaxX, int MaxY)[TileAddress.MaxZoom + 1][];
        for (var z = 0; z <= TileAddress.MaxZoom; z++) ranges[z] = boxes.Select(b => b.TileRange(z, margin)).ToArray();
        return RemoveWhere(key => sources.Contains(key.Source) && ranges[key.Tile.Z].Any(r =>
            key.Tile.X >= r.MinX && key.Tile.X <= r.MaxX && key.Tile.Y >= r.MinY && key.Tile.Y <= r.MaxY));
    }

    public int Flush(IReadOnlySet<string>? sources = null) => RemoveWhere(key => sources is null || sources.Contains(key.Source));

    public TileCacheStats Stats()
    {
        lock (_write)
            return new(_entries.Count, _bytes, maxBytes, Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), _evictions, _invalidated, _generation);
    }

    private int RemoveWhere(Func<TileKey, bool> match)
    {
        lock (_write)
        {
            _generation++;
            var removed = 0;
            foreach (var key in _entries.Keys)
                if (match(key) && _entries.TryRemove(key, out var entry))
                {
                    _bytes -= Size(entry.Tile);
                    removed++;
                }
            _invalidated += removed;
            return removed;
        }
    }

    /// <summary>Evicts the least recently used tiles down to 90% of the bound, so evictions come in batches.</summary>
    private void EvictLocked()
    {
        var target = maxBytes * 9 / 10;
        foreach (var (key, entry) in _entries.ToArray().OrderBy(e => e.Value.LastUsed))
        {
            if (_bytes <= target) break;
            if (_entries.TryRemove(key, out _))
            {
                _bytes -= Size(entry.Tile);
                _evictions++;
            }
        }
    }

    private static long Size(CachedTile tile) => tile.Data.Length + EntryOverhead;
}
