namespace NapGeo.Tiles;

public readonly record struct TileKey(string Source, TileAddress Tile, string Query);

/// <summary>A rendered tile: its bytes (empty = no features) and a strong ETag made from them.</summary>
public sealed record CachedTile(byte[] Data, string ETag);

public sealed record TileCacheStats(int Tiles, long Bytes, long MaxBytes, long Hits, long Misses, long Evictions, long Invalidated, long Generation);

/// <summary>
/// In-process LRU cache of rendered tiles, bounded by bytes. Entries only leave by eviction or by invalidation
/// (<see cref="Invalidate"/>, driven by database notifications): there is no TTL, so it is exact rather than
/// eventually fresh. A render that overlaps an invalidation is not stored (see <see cref="Generation"/>).
/// </summary>
public sealed class TileCache(long maxBytes)
{
    // Rough per-entry overhead (key, node, record) so that many empty tiles still count against the bound.
    private const int EntryOverhead = 200;
    private readonly Lock _lock = new();
    private readonly Dictionary<TileKey, LinkedListNode<(TileKey Key, CachedTile Tile)>> _entries = [];
    private readonly LinkedList<(TileKey Key, CachedTile Tile)> _lru = new();
    private long _bytes, _hits, _misses, _evictions, _invalidated, _generation;

    /// <summary>Changes on every invalidation; a render stores its result only if it did not change meanwhile.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public CachedTile? Get(TileKey key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node)) { _misses++; return null; }
            _hits++;
            _lru.Remove(node);
            _lru.AddFirst(node);
            return node.Value.Tile;
        }
    }

    public bool Contains(TileKey key)
    {
        lock (_lock) return _entries.ContainsKey(key);
    }

    /// <summary>Stores a tile rendered since <paramref name="generation"/>; false when an invalidation came in between or it does not fit.</summary>
    public bool Add(TileKey key, CachedTile tile, long generation)
    {
        var size = Size(tile);
        if (size > maxBytes) return false;
        lock (_lock)
        {
            if (generation != _generation) return false;
            if (_entries.Remove(key, out var old)) Drop(old, evicted: false);
            var node = _lru.AddFirst((key, tile));
            _entries[key] = node;
            _bytes += size;
            while (_bytes > maxBytes && _lru.Last is { } last)
            {
                _entries.Remove(last.Value.Key);
                Drop(last, evicted: true);
            }
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
        lock (_lock) return new(_entries.Count, _bytes, maxBytes, _hits, _misses, _evictions, _invalidated, _generation);
    }

    private int RemoveWhere(Func<TileKey, bool> match)
    {
        lock (_lock)
        {
            _generation++;
            var doomed = _entries.Where(e => match(e.Key)).ToList();
            foreach (var (key, node) in doomed)
            {
                _entries.Remove(key);
                Drop(node, evicted: false);
                _invalidated++;
            }
            return doomed.Count;
        }
    }

    private void Drop(LinkedListNode<(TileKey Key, CachedTile Tile)> node, bool evicted)
    {
        _lru.Remove(node);
        _bytes -= Size(node.Value.Tile);
        if (evicted) _evictions++;
    }

    private static long Size(CachedTile tile) => tile.Data.Length + EntryOverhead;
}
