using System.Collections.Concurrent;
using System.Security.Cryptography;
using NapGeo.Layers;
using Npgsql;

namespace NapGeo.Tiles;

/// <summary>The tile sources (one per layer, plus <c>napgeo</c> with all layers), the cache in front of them, and invalidation.</summary>
public sealed class TileService
{
    public const string AllLayersSource = "napgeo";
    public const string DataSourceKey = "tiles";
    /// <summary>Tile buffer in tile units (64 of 4096): a feature this close to a tile is drawn in it too.</summary>
    public const double BufferMargin = 64.0 / 4096;

    private readonly ConcurrentDictionary<string, Task<LonLatBox?>> _bounds = new();

    public TileService(NpgsqlDataSource db, TileOptions options)
    {
        Options = options;
        Cache = new TileCache(options.CacheBytes);
        Sources = LayerCatalog.All
            .Select(l => (ITileSource)new PostGisTileSource(l.Name, l.Title, [l], db, options))
            .Append(new PostGisTileSource(AllLayersSource, "NapGeo: " + string.Join(", ", LayerCatalog.All.Select(l => l.Name)), LayerCatalog.All, db, options))
            .ToDictionary(s => s.Id);
    }

    public TileOptions Options { get; }
    public TileCache Cache { get; }
    public IReadOnlyDictionary<string, ITileSource> Sources { get; }

    public ITileSource? Find(string id) => Sources.GetValueOrDefault(id);

    public static TileKey Key(ITileSource source, TileAddress tile, TileFilter filter) => new(source.Id, tile, filter.Key(source.Filters));

    /// <summary>The tile from the cache, else rendered (and cached unless an invalidation overlapped the render).</summary>
    public async Task<(CachedTile Tile, bool Hit)> GetAsync(ITileSource source, TileAddress tile, TileFilter filter, CancellationToken ct)
    {
        var key = Key(source, tile, filter);
        if (Cache.Get(key) is { } cached) return (cached, true);
        var generation = Cache.Generation;
        var rendered = await RenderAsync(source, tile, filter, ct);
        Cache.Add(key, rendered, generation);
        return (rendered, false);
    }

    public static async Task<CachedTile> RenderAsync(ITileSource source, TileAddress tile, TileFilter filter, CancellationToken ct)
    {
        var data = await source.RenderAsync(tile, filter, ct);
        return new CachedTile(data, ETagOf(data));
    }

    /// <summary>A strong ETag from the bytes alone, so every instance names the same tile the same way.</summary>
    public static string ETagOf(byte[] data) => $"\"{Convert.ToHexStringLower(SHA256.HashData(data).AsSpan(0, 16))}\"";

    /// <summary>The data extent, remembered until the source's tables change.</summary>
    public async Task<LonLatBox?> BoundsAsync(ITileSource source, CancellationToken ct)
    {
        var task = _bounds.GetOrAdd(source.Id, _ => source.BoundsAsync(CancellationToken.None));
        try { return await task.WaitAsync(ct); }
        catch when (task.IsFaulted) { _bounds.TryRemove(source.Id, out _); throw; }
    }

    /// <summary>Rows of <paramref name="table"/> changed inside <paramref name="boxes"/>: drop the tiles of every source showing that table there.</summary>
    public int Invalidate(string table, IReadOnlyList<LonLatBox> boxes)
    {
        var sources = SourcesOf(table);
        foreach (var s in sources) _bounds.TryRemove(s, out _);
        return Cache.Invalidate(sources, boxes, BufferMargin);
    }

    public int Flush(string? table = null)
    {
        if (table is null) _bounds.Clear();
        else foreach (var s in SourcesOf(table)) _bounds.TryRemove(s, out _);
        return Cache.Flush(table is null ? null : SourcesOf(table));
    }

    private HashSet<string> SourcesOf(string table) => Sources.Values.Where(s => s.Tables.Contains(table)).Select(s => s.Id).ToHashSet();
}
