using System.Data.Common;
using System.Globalization;
using NapGeo.Layers;
using Npgsql;

namespace NapGeo.Features;

/// <summary>
/// Runs an <see cref="ItemsQuery"/>: the columns are laid out as <see cref="LayerSql.Select"/> lays them out
/// (so <see cref="FeatureJson"/> writes the rows), with the geometry rendered by PostGIS in the output CRS.
/// </summary>
public sealed class FeatureReader(NpgsqlDataSource db)
{
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct) => db.OpenConnectionAsync(ct);

    /// <summary>
    /// The layer's state for the validators, numberMatched when <paramref name="count"/>, and, when
    /// <paramref name="withRows"/>, the rows too: one batch, so a page costs one round trip. Downloads ask for the
    /// state alone and read their rows afterwards, so a 304 does not leave a million rows to drain.
    /// </summary>
    public async Task<FeatureBatch> QueryAsync(NpgsqlConnection connection, ItemsQuery query, bool count, bool withRows, CancellationToken ct)
    {
        // A page chosen from the index counts its box in the same scan (see PageSql): no separate count.
        var countInPage = count && withRows && query.IndexChoosesPage;
        var batch = new NpgsqlBatch(connection);
        var version = new NpgsqlBatchCommand(CollectionVersion.Sql);
        version.Parameters.Add(new NpgsqlParameter { Value = query.Layer.Name });
        batch.BatchCommands.Add(version);
        if (count && !countInPage) batch.BatchCommands.Add(CountCommand(query));
        if (withRows)
        {
            var rows = new NpgsqlBatchCommand();
            rows.CommandText = PageSql(query, rows.Parameters);
            batch.BatchCommands.Add(rows);
        }
        NpgsqlDataReader? reader = null;
        try
        {
            reader = await batch.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var state = CollectionVersion.Read(reader);
            long? total = null;
            if (count && !countInPage)
            {
                await reader.NextResultAsync(ct);
                await reader.ReadAsync(ct);
                total = reader.GetInt64(0);
            }
            if (withRows)
            {
                await reader.NextResultAsync(ct);
                // The first row is read before anything is written: an error PostgreSQL raises on it is then still a
                // problem document of its own, not one appended to the start of a page. (numberMatched of a page
                // chosen from the index rides on every row, too.)
                if (await reader.ReadAsync(ct))
                    return new FeatureBatch(batch, reader, state, countInPage ? reader.GetInt64(reader.FieldCount - 1) : total, onRow: true);
            }
            // Nothing more to read: the connection is free again for the caller's own query.
            await reader.DisposeAsync();
            await batch.DisposeAsync();
            // An empty page chosen from the index has no row to carry the count: past the end, it is counted apart.
            if (countInPage) total = query.Offset == 0 ? 0 : await CountAsync(connection, query, ct);
            return new FeatureBatch(null, null, state, total, empty: withRows);
        }
        catch
        {
            if (reader is not null) await reader.DisposeAsync();
            await batch.DisposeAsync();
            throw;
        }
    }

    private static NpgsqlBatchCommand CountCommand(ItemsQuery query)
    {
        var matched = new NpgsqlBatchCommand();
        matched.CommandText = $"SELECT count(*) FROM {query.Layer.Name}" + LayerStore.Where(query.Layer, query.Filter, matched.Parameters);
        return matched;
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, ItemsQuery query, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { CountCommand(query) } };
        return (long)(await batch.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Ordinal of the first coordinate column of a CSV point layer (x, then y), after the fields.</summary>
    public static int CoordinateOrdinal(LayerDefinition layer) => LayerSql.FirstFieldOrdinal + layer.Fields.Count;

    /// <summary>Calls <paramref name="write"/> for each row as PostgreSQL returns it; nothing is held in memory.</summary>
    public async Task<int> ReadAsync(ItemsQuery query, Func<DbDataReader, CancellationToken, ValueTask> write, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await ReadAsync(connection, query, write, ct);
    }

    public async Task<int> ReadAsync(NpgsqlConnection connection, ItemsQuery query, Func<DbDataReader, CancellationToken, ValueTask> write, CancellationToken ct)
    {
        await using var rows = await RowsAsync(connection, query, ct);
        return await rows.WriteRowsAsync(write, ct);
    }

    /// <summary>The rows of a download, on the first one (read before anything is written, as a page's is).</summary>
    public async Task<FeatureBatch> RowsAsync(NpgsqlConnection connection, ItemsQuery query, CancellationToken ct)
    {
        var batch = new NpgsqlBatch(connection);
        var rows = new NpgsqlBatchCommand();
        rows.CommandText = PageSql(query, rows.Parameters);
        batch.BatchCommands.Add(rows);
        NpgsqlDataReader? reader = null;
        try
        {
            reader = await batch.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct)) return new FeatureBatch(batch, reader, null, null, onRow: true);
            await reader.DisposeAsync();
            await batch.DisposeAsync();
            return new FeatureBatch(null, null, null, null, empty: true);
        }
        catch
        {
            if (reader is not null) await reader.DisposeAsync();
            await batch.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The rows of the query in the column layout of <see cref="LayerSql.Select"/>, the geometry in the output CRS; its
    /// values are added to <paramref name="parameters"/>. Public for <c>ogc sql</c> (bench/features' database floor).
    /// </summary>
    public static string PageSql(ItemsQuery query, NpgsqlParameterCollection parameters)
    {
        var layer = query.Layer;
        var crs = query.Crs;
        var precision = crs.Precision.ToString(CultureInfo.InvariantCulture);
        var csvPoints = query.Format == OutputFormat.Csv && layer.IsPointLayer;
        var geometry = query.Format switch
        {
            OutputFormat.Csv when csvPoints => "NULL::text",
            OutputFormat.Csv => $"ST_AsText({crs.GeometrySql(layer)}, {precision})",
            // Options 0: no "crs" member, which PostGIS adds outside EPSG:4326 and RFC 7946 removed (Content-Crs says it).
            _ => $"ST_AsGeoJSON({crs.GeometrySql(layer)}, {precision}, 0)",
        };
        var fields = string.Join(", ", layer.Fields.Select(f => f.Name));
        var projected = crs.IsGeographic ? "geom" : $"ST_Transform(geom, {crs.Srid.ToString(CultureInfo.InvariantCulture)})";
        // In the CRS's axis order, as the WKT of other layers is: EPSG:4326 by URI gives latitude, then longitude.
        var (first, second) = crs.LatLonOrder ? ("ST_Y", "ST_X") : ("ST_X", "ST_Y");
        var coordinates = csvPoints ? $", round({first}({projected})::numeric, {precision})::float8, round({second}({projected})::numeric, {precision})::float8" : "";
        var where = LayerStore.Where(layer, query.Filter, parameters);
        var page = (query.Limit == int.MaxValue ? "" : " LIMIT " + LayerStore.Bind(parameters, query.Limit)) +
                   (query.Offset == 0 ? "" : " OFFSET " + LayerStore.Bind(parameters, query.Offset));
        if (!query.IndexChoosesPage) return $"SELECT id, version, created_at, updated_at, {geometry}, {fields}{coordinates} FROM {layer.Name}{where}{query.OrderBy}{page}";
        // The page's keys are chosen from the index alone; joining on id then reads only the page's own rows, and
        // ordering by the keys the subquery sorted on keeps its order without sorting the full rows again.
        // The window counts the whole box before the LIMIT, in the same index scan: numberMatched, on every row.
        var keys = LayerSql.OrderKeys(layer);
        var pageKeys = string.Join(", ", keys.Select(k => $"{k} AS page_{k}"));
        var pageOrder = string.Join(", ", keys.Select(k => $"page_{k}"));
        return $"SELECT id, version, created_at, updated_at, {geometry}, {fields}{coordinates}, page_matched " +
               $"FROM (SELECT {pageKeys}, count(*) OVER () AS page_matched FROM {layer.Name}{where}{query.OrderBy}{page}) page " +
               $"JOIN {layer.Name} ON id = page_id ORDER BY {pageOrder}";
    }
}

/// <summary>
/// What <see cref="FeatureReader.QueryAsync"/> read: the state, numberMatched, and the open rows of the page (already on
/// its first row when <paramref name="onRow"/>; none at all when <paramref name="empty"/>).
/// </summary>
public sealed class FeatureBatch(NpgsqlBatch? batch, NpgsqlDataReader? reader, CollectionVersion.State? state, long? matched,
    bool onRow = false, bool empty = false) : IAsyncDisposable
{
    public CollectionVersion.State State => state ?? throw new InvalidOperationException("these rows were read without the layer's state");
    public long? Matched => matched;

    /// <summary>Calls <paramref name="write"/> for each row of the page as PostgreSQL returns it.</summary>
    public async Task<int> WriteRowsAsync(Func<DbDataReader, CancellationToken, ValueTask> write, CancellationToken ct)
    {
        if (empty) return 0;
        if (reader is null) throw new InvalidOperationException("this batch was run without its rows");
        if (!onRow) return await WriteRowsAsync(reader, write, ct);
        await write(reader, ct);
        return 1 + await WriteRowsAsync(reader, write, ct);
    }

    public static async Task<int> WriteRowsAsync(DbDataReader row, Func<DbDataReader, CancellationToken, ValueTask> write, CancellationToken ct)
    {
        var count = 0;
        while (await row.ReadAsync(ct))
        {
            await write(row, ct);
            count++;
        }
        return count;
    }

    private bool _cancelled;

    /// <summary>Asks PostgreSQL to stop the query, so that disposing reads no more than what was already sent.</summary>
    public void Cancel()
    {
        if (batch is null || reader is null || reader.IsClosed) return;
        _cancelled = true;
        try { batch.Cancel(); }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException) { } // it ended meanwhile, or the server is gone: nothing to stop
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (reader is not null) await reader.DisposeAsync();
        }
        catch (PostgresException e) when (_cancelled && e.SqlState == PostgresErrorCodes.QueryCanceled) { } // what Cancel asked for
        if (batch is not null) await batch.DisposeAsync();
    }
}
