using System.Data.Common;
using System.Globalization;
using NapGeo.Layers;
using NetTopologySuite.Geometries;
using Npgsql;

namespace NapGeo.Features;

/// <summary>
/// Runs an <see cref="ItemsQuery"/>: the columns are laid out as <see cref="LayerSql.Select"/> lays them out
/// (so <see cref="FeatureJson"/> writes the rows), with the geometry rendered by PostGIS in the output CRS.
/// </summary>
public sealed class FeatureReader(NpgsqlDataSource db)
{
    public static bool IsPointLayer(LayerDefinition layer) => layer.GeometryTypes.All(t => t == OgcGeometryType.Point);

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct) => db.OpenConnectionAsync(ct);

    /// <summary>
    /// The layer's state for the validators and, when asked, numberMatched: one round trip (a batch) on the
    /// connection the page is then read on.
    /// </summary>
    public async Task<(CollectionVersion.State State, long? Matched)> StateAsync(NpgsqlConnection connection, ItemsQuery query, bool count, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        var version = new NpgsqlBatchCommand(CollectionVersion.Sql);
        version.Parameters.Add(new NpgsqlParameter { Value = query.Layer.Name });
        batch.BatchCommands.Add(version);
        if (count)
        {
            var matched = new NpgsqlBatchCommand();
            matched.CommandText = $"SELECT count(*) FROM {query.Layer.Name}" + LayerStore.Where(query.Filter, matched.Parameters);
            batch.BatchCommands.Add(matched);
        }
        await using var row = await batch.ExecuteReaderAsync(ct);
        await row.ReadAsync(ct);
        var state = CollectionVersion.Read(row);
        if (!count) return (state, null);
        await row.NextResultAsync(ct);
        await row.ReadAsync(ct);
        return (state, row.GetInt64(0));
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
        var layer = query.Layer;
        var crs = query.Crs;
        var precision = crs.Precision.ToString(CultureInfo.InvariantCulture);
        var csvPoints = query.Format == OutputFormat.Csv && IsPointLayer(layer);
        var geometry = query.Format switch
        {
            OutputFormat.Csv when csvPoints => "NULL::text",
            OutputFormat.Csv => $"ST_AsText({crs.GeometrySql()}, {precision})",
            _ => $"ST_AsGeoJSON({crs.GeometrySql()}, {precision})",
        };
        var fields = string.Join(", ", layer.Fields.Select(f => f.Name));
        var projected = crs.IsGeographic ? "geom" : $"ST_Transform(geom, {crs.Srid.ToString(CultureInfo.InvariantCulture)})";
        var coordinates = csvPoints ? $", round(ST_X({projected})::numeric, {precision})::float8, round(ST_Y({projected})::numeric, {precision})::float8" : "";

        await using var cmd = connection.CreateCommand();
        var where = LayerStore.Where(query.Filter, cmd);
        var page = (query.Limit == int.MaxValue ? "" : $" LIMIT {query.Limit.ToString(CultureInfo.InvariantCulture)}") +
                   (query.Offset == 0 ? "" : $" OFFSET {query.Offset.ToString(CultureInfo.InvariantCulture)}");
        cmd.CommandText = $"SELECT id, version, created_at, updated_at, {geometry}, {fields}{coordinates} FROM {layer.Name}{where}{query.OrderBy}{page}";
        await using var row = await cmd.ExecuteReaderAsync(ct);
        var count = 0;
        while (await row.ReadAsync(ct))
        {
            await write(row, ct);
            count++;
        }
        return count;
    }
}
