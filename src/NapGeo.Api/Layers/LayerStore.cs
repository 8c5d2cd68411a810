using System.Collections.Concurrent;
using System.Text.Json;
using NapGeo.Database;
using Npgsql;
using NpgsqlTypes;

namespace NapGeo.Layers;

public enum WriteOutcome { Done, NotFound, VersionMismatch }

/// <summary>
/// A bounding box in lon/lat, equality filters on a layer's filterable fields, and further predicates (OGC filters):
/// each appends its parameters to the command and returns SQL that refers to them by position.
/// </summary>
public sealed record LayerFilter(double[]? Bbox, IReadOnlyList<(Field Field, object Value)> Matches)
{
    public static readonly LayerFilter None = new(null, []);

    public IReadOnlyList<Func<NpgsqlParameterCollection, string>> Predicates { get; init; } = [];
}

/// <summary>Reads and writes a layer's features; every write runs in one transaction stamped with its actor for the audit log.</summary>
public sealed class LayerStore(NpgsqlDataSource db)
{
    private readonly ConcurrentDictionary<string, LayerSql> _sql = new();

    public LayerSql Sql(LayerDefinition layer) => _sql.GetOrAdd(layer.Name, _ => new LayerSql(layer));

    public async Task<StoredFeature?> LoadAsync(LayerDefinition layer, Guid id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(Sql(layer).SelectWithGeometry + " WHERE id = $1");
        cmd.Parameters.Add(new() { Value = id });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        if (!await row.ReadAsync(ct)) return null;
        var geometry = row.GetFieldValue<NetTopologySuite.Geometries.Geometry>(LayerSql.FirstFieldOrdinal + layer.Fields.Count);
        return new StoredFeature(row.GetGuid(0), row.GetInt32(1), FeatureJson.ReadValues(row, layer), geometry);
    }

    /// <summary>One feature as GeoJSON bytes with its version, for a response with an ETag.</summary>
    public async Task<(byte[] Json, int Version)?> RenderAsync(LayerDefinition layer, Guid id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand();
        return await RenderAsync(layer, id, cmd, ct);
    }

    private async Task<(byte[] Json, int Version)?> RenderAsync(LayerDefinition layer, Guid id, NpgsqlCommand cmd, CancellationToken ct)
    {
        cmd.CommandText = Sql(layer).Select + " WHERE id = $1";
        cmd.Parameters.Add(new() { Value = id });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        if (!await row.ReadAsync(ct)) return null;
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, FeatureJson.WriterOptions)) FeatureJson.WriteFeature(writer, row, layer);
        return (buffer.ToArray(), row.GetInt32(1));
    }

    public async Task<long> CountAsync(LayerDefinition layer, LayerFilter filter, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {layer.Name}" + Where(layer, filter, cmd.Parameters);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Streams the matching features into <paramref name="writer"/>'s current array, flushing as it goes.</summary>
    public async Task<int> WriteFeaturesAsync(
        LayerDefinition layer, LayerFilter filter, int limit, int offset, Utf8JsonWriter writer, Stream output, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand();
        cmd.CommandText = Sql(layer).Select + Where(layer, filter, cmd.Parameters) + Sql(layer).OrderBy +
                          $" LIMIT {Bind(cmd.Parameters, limit)} OFFSET {Bind(cmd.Parameters, offset)}";
        await using var row = await cmd.ExecuteReaderAsync(ct);
        var count = 0;
        while (await row.ReadAsync(ct))
        {
            FeatureJson.WriteFeature(writer, row, layer);
            if (++count % 200 == 0)
            {
                await writer.FlushAsync(ct);
                await output.FlushAsync(ct);
            }
        }
        return count;
    }

    /// <summary>
    /// Inserts the feature and renders it as stored (defaults, triggers' values, version) in the same transaction: a
    /// delete committed right after cannot take the created feature from the answer.
    /// </summary>
    public async Task<(Guid Id, byte[] Json, int Version)> InsertAsync(LayerDefinition layer, FeatureDraft draft, string actor, CancellationToken ct)
    {
        await using var tx = await WriteTransaction.BeginAsync(db, actor, ct);
        await using var cmd = tx.Command(Sql(layer).Insert);
        AddValues(cmd, Sql(layer), draft);
        var id = (Guid)(await cmd.ExecuteScalarAsync(ct))!;
        await using var render = tx.Command("");
        var (json, version) = (await RenderAsync(layer, id, render, ct))!.Value;
        await tx.CommitAsync(ct);
        return (id, json, version);
    }

    /// <summary>Updates the feature if it is still at <paramref name="expectedVersion"/>; when done, the feature as stored, rendered in the same transaction.</summary>
    public async Task<(WriteOutcome Outcome, byte[] Json, int Version)> UpdateAsync(
        LayerDefinition layer, Guid id, int expectedVersion, FeatureDraft draft, string actor, CancellationToken ct)
    {
        await using var tx = await WriteTransaction.BeginAsync(db, actor, ct);
        await using var cmd = tx.Command(Sql(layer).Update);
        AddValues(cmd, Sql(layer), draft);
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = expectedVersion });
        if (await cmd.ExecuteScalarAsync(ct) is null) return (await MissOutcomeAsync(layer, id, ct), [], 0);
        await using var render = tx.Command("");
        var (json, version) = (await RenderAsync(layer, id, render, ct))!.Value;
        await tx.CommitAsync(ct);
        return (WriteOutcome.Done, json, version);
    }

    public async Task<WriteOutcome> DeleteAsync(LayerDefinition layer, Guid id, int? expectedVersion, string actor, CancellationToken ct)
    {
        await using var tx = await WriteTransaction.BeginAsync(db, actor, ct);
        await using var cmd = tx.Command(Sql(layer).Delete);
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = (object?)expectedVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        if (await cmd.ExecuteScalarAsync(ct) is null) return await MissOutcomeAsync(layer, id, ct);
        await tx.CommitAsync(ct);
        return WriteOutcome.Done;
    }

    private async Task<WriteOutcome> MissOutcomeAsync(LayerDefinition layer, Guid id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(Sql(layer).Exists);
        cmd.Parameters.Add(new() { Value = id });
        return await cmd.ExecuteScalarAsync(ct) is null ? WriteOutcome.NotFound : WriteOutcome.VersionMismatch;
    }

    /// <summary>Binds the geometry as $1 and the stored fields as $2… in <see cref="LayerSql.Stored"/> order.</summary>
    public static void AddValues(NpgsqlCommand cmd, LayerSql sql, FeatureDraft draft)
    {
        cmd.Parameters.Add(new() { Value = draft.Geometry });
        foreach (var field in sql.Stored)
            cmd.Parameters.Add(new() { Value = draft.Values[field.Name] ?? DBNull.Value, NpgsqlDbType = LayerSql.DbType(field.Kind) });
    }

    /// <summary>The WHERE clause of <paramref name="filter"/> (or ""), its values appended to <paramref name="parameters"/>.</summary>
    /// <summary>Adds an integer parameter (a page's limit or offset) and returns its placeholder.</summary>
    public static string Bind(NpgsqlParameterCollection parameters, int value)
    {
        parameters.Add(new() { Value = value, NpgsqlDbType = NpgsqlDbType.Integer });
        return "$" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Where(LayerDefinition layer, LayerFilter filter, NpgsqlParameterCollection parameters)
    {
        var clauses = new List<string>();
        if (filter.Bbox is { } b) clauses.Add(LayerSql.BboxClause(layer, parameters, b[0], b[1], b[2], b[3]));
        foreach (var (field, value) in filter.Matches)
        {
            parameters.Add(new() { Value = value, NpgsqlDbType = LayerSql.DbType(field.Kind) });
            var parameter = "$" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            clauses.Add($"{field.Name} = {(field.Kind == FieldKind.Text ? LayerSql.Composed(parameter + "::text") : parameter)}");
        }
        foreach (var predicate in filter.Predicates) clauses.Add(predicate(parameters));
        return clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", clauses);
    }
}
