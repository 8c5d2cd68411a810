using System.Collections.Concurrent;
using NapGeo.Database;
using NapGeo.Layers;
using Npgsql;

namespace NapGeo.Tiles;

/// <summary>One MVT layer inside a tile: its name in the tile and the fields its features carry.</summary>
public sealed record TileLayerInfo(string Id, string Description, IReadOnlyDictionary<string, string> Fields);

/// <summary>A named source of vector tiles (<c>/tiles/{Id}/…</c>); the TileJSON and the cache are derived from it.</summary>
public interface ITileSource
{
    string Id { get; }
    string Title { get; }
    IReadOnlyList<TileLayerInfo> Layers { get; }
    /// <summary>Tables whose changes change this source's tiles.</summary>
    IReadOnlySet<string> Tables { get; }
    /// <summary>Filter parameters that apply to this source (others are ignored and not part of its cache key).</summary>
    IReadOnlySet<string> Filters { get; }
    /// <summary>The tile as MVT bytes; empty when no feature touches the tile.</summary>
    Task<byte[]> RenderAsync(TileAddress tile, TileFilter filter, CancellationToken ct);
    /// <summary>The extent of the data, or null when there is none.</summary>
    Task<LonLatBox?> BoundsAsync(CancellationToken ct);
}

/// <summary>Tile options (<c>Tiles:*</c> settings).</summary>
public sealed class TileOptions
{
    /// <summary>Samples are clustered below this zoom, single points from it on.</summary>
    public int ClusterBelowZoom { get; set; } = 10;
    public int StatementTimeoutMs { get; set; } = 10_000;
    /// <summary>Tiles rendered at once (database connections of the tile pool); more wait their turn.</summary>
    public int MaxConnections { get; set; } = 8;
    public long CacheBytes { get; set; } = 256L * 1024 * 1024;
    public string CacheControl { get; set; } = "public, no-cache";
    /// <summary>Base URL written into TileJSON and the style (e.g. behind a proxy); default: from the request.</summary>
    public string? PublicBaseUrl { get; set; }
    public int MaxZoom { get; set; } = 14;
    /// <summary>
    /// A layer with more features than this in one tile (e.g. 50,000 sites at zoom 5) is drawn as boxes that each
    /// cover the features of a 32-unit cell, keeping every tile light and every feature visible.
    /// </summary>
    public int AggregateAbove { get; set; } = 2000;
    public string Attribution { get; set; } = "NapGeo ASGM National Action Plan data";
}

/// <summary>
/// Tiles made by PostGIS from one or more layers: each layer's ST_AsMVT, concatenated (concatenated MVT layers are
/// one valid tile), in one statement with a transaction-local statement timeout.
/// </summary>
public sealed class PostGisTileSource : ITileSource
{
    private readonly NpgsqlDataSource _db;
    private readonly TileOptions _options;
    private readonly IReadOnlyList<LayerDefinition> _definitions;
    private readonly ConcurrentDictionary<(bool Clusters, int Filters), string> _sql = new();
    private readonly string[]? _exceedanceClasses;

    public PostGisTileSource(string id, string title, IReadOnlyList<LayerDefinition> layers, NpgsqlDataSource db, TileOptions options)
    {
        Id = id;
        Title = title;
        _db = db;
        _options = options;
        _definitions = layers;
        Tables = layers.Select(l => l.Name).ToHashSet();
        Filters = TileFilter.Names.Where(f => layers.Any(l => TileSql.FilterApplies(l, f))).ToHashSet();
        Layers = layers.Select(Describe).ToList();
        _exceedanceClasses = layers.Select(l => l.Find("exceedance_class")?.Allowed).FirstOrDefault(a => a is not null)?.ToArray();
    }

    public string Id { get; }
    public string Title { get; }
    public IReadOnlyList<TileLayerInfo> Layers { get; }
    public IReadOnlySet<string> Tables { get; }
    public IReadOnlySet<string> Filters { get; }

    /// <summary>The statement for a zoom (clustered below <see cref="TileOptions.ClusterBelowZoom"/>) and the filters set.</summary>
    public string Sql(int z, TileFilter filter)
    {
        var clusters = z < _options.ClusterBelowZoom;
        return _sql.GetOrAdd((clusters, filter.SetMask()), _ => TileSql.Combine(_definitions.Select(l =>
            (clusters ? TileSql.Clusters(l, filter) : null) ?? TileSql.Features(l, _options.AggregateAbove, filter))));
    }

    public async Task<byte[]> RenderAsync(TileAddress tile, TileFilter filter, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        // One round trip: both commands run in the batch's implicit transaction, so the timeout is transaction-local.
        await using var batch = new NpgsqlBatch(connection);
        var timeout = new NpgsqlBatchCommand("SELECT set_config('statement_timeout', $1, true)");
        timeout.Parameters.Add(new() { Value = _options.StatementTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        batch.BatchCommands.Add(timeout);
        var render = new NpgsqlBatchCommand(Sql(tile.Z, filter));
        foreach (var p in TileSql.Parameters(tile, filter, _exceedanceClasses)) render.Parameters.Add(p);
        batch.BatchCommands.Add(render);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        return await reader.ReadAsync(ct) && !reader.IsDBNull(0) ? (byte[])reader.GetValue(0) : [];
    }

    public async Task<LonLatBox?> BoundsAsync(CancellationToken ct)
    {
        var sql = "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::geometry AS e FROM (" +
                  string.Join(" UNION ALL ", _definitions.Select(l => $"SELECT ST_Extent(geom)::geometry AS geom FROM {l.Name}")) + ") u) x";
        await using var cmd = _db.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct) || reader.IsDBNull(0)) return null;
        return new LonLatBox(reader.GetDouble(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3));
    }

    private TileLayerInfo Describe(LayerDefinition layer)
    {
        var fields = new Dictionary<string, string> { [TileFields.IdProperty] = "String" };
        foreach (var f in TileFields.For(layer)) fields[f.Name] = TileFields.MvtType(f.Kind);
        // Where a tile holds too many features they come as aggregated boxes (cluster, point_count); point
        // layers with values cluster below the cluster zoom instead, with value_max.
        fields["cluster"] = "Boolean";
        fields["point_count"] = "Number";
        var description = $"{layer.Title}; tiles with more than {_options.AggregateAbove} features aggregate them per cell " +
                          "(cluster, point_count, most common " + string.Join(", ", TileSql.AggregatedFields(layer).Select(f => f.Name)) + ")";
        if (TileSql.Clusters(layer, TileFilter.None) is not null)
        {
            fields["value_max"] = "Number";
            description += $"; below zoom {_options.ClusterBelowZoom} point clusters (cluster, point_count, value_max, matrix" +
                           (layer.Find("exceedance_class") is not null ? ", worst exceedance_class)" : ")");
        }
        return new TileLayerInfo(layer.Name, description, fields);
    }
}
