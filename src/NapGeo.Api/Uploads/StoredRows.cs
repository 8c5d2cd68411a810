using System.Text.Json;
using NapGeo.Database;
using NapGeo.Layers;
using Npgsql;
using NpgsqlTypes;

namespace NapGeo.Uploads;

/// <summary>The stored row an upload row matches by its key: its version when it was read, and its values.</summary>
public sealed record StoredRow(int Version, Dictionary<string, object?> Values);

/// <summary>
/// A re-upload changes what its file says and nothing else. A file without some of a layer's columns (a sheet of new site
/// names, a lab's sheet of values without the sampling dates) must not reset the other fields of the rows it matches to
/// their defaults: each of its rows that matches a stored row by its key (samples: campaign and external_id; sites:
/// site_code) starts from the stored values, and only the fields the file gives replace them. A column that is there with
/// an empty cell gives its field (the user cleared it): it gets its default, as in a new row. New rows start from the defaults.
/// The stored values are read before the row is validated, so the layer's rules (required fields, the unit normalization,
/// miners_women ≤ miners_total) judge the row as it will be stored; the merge then writes the whole row, so the assessment
/// and site-link triggers see it whole, and a row equal to the stored one is counted unchanged.
/// Rows are read in batches on a connection of their own (the upload's is busy with the COPY), from committed data; a row
/// changed by someone else before the merge is found by <see cref="UploadSql.Moved"/>.
/// </summary>
public sealed class StoredRows(LayerDefinition layer, UploadSql sql, IReadOnlySet<string> given, NpgsqlDataSource db) : IAsyncDisposable
{
    /// <summary>Rows whose stored values are asked for in one statement.</summary>
    public const int BatchSize = 1000;

    private NpgsqlConnection? _connection;

    /// <summary>Null when the file gives every field, or the layer has no key (hotspots): then every row starts from the defaults.</summary>
    public static StoredRows? For(LayerDefinition layer, UploadSql sql, ColumnMap map, string? campaign, NpgsqlDataSource db)
    {
        if (sql.Key.Count == 0) return null;
        var given = Given(layer, map, campaign);
        return layer.Writable.All(f => given.Contains(f.Name)) ? null : new StoredRows(layer, sql, given, db);
    }

    /// <summary>The fields a file gives: its mapped columns, and what <see cref="RowConverter"/> adds from the request and the value column.</summary>
    public static IReadOnlySet<string> Given(LayerDefinition layer, ColumnMap map, string? campaign)
    {
        var given = map.Fields.Keys.ToHashSet(StringComparer.Ordinal);
        if (layer.Name != "samples") return given;
        if (campaign is not null) given.Add("campaign");
        if (map.UnitFromHeader is not null) given.Add("unit");
        // Every value cell says whether its result is below detection ("<0.05", "ND", or a number, which is not): a new
        // value of 0.2 for a sample stored as "<0.05" is no longer below detection. The limit stays unless the cell gives one.
        if (given.Contains("value")) given.Add("below_detection");
        return given;
    }

    /// <summary>The key of a converted feature as <see cref="FeatureInput"/> reads it (trimmed), or null when it lacks a part.</summary>
    public string[]? Key(JsonElement feature)
    {
        if (!feature.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object) return null;
        var key = new string[sql.Key.Count];
        for (var i = 0; i < key.Length; i++)
        {
            var field = layer.Find(sql.Key[i])!;
            if (!properties.TryGetProperty(field.Name, out var json) || !FeatureInput.TryConvert(field, json, out var value, out _) || value is not string text)
                return null;
            key[i] = text;
        }
        return key;
    }

    /// <summary>The stored row each key names, or null (no key, or a new row).</summary>
    public async Task<StoredRow?[]> LoadAsync(IReadOnlyList<string[]?> keys, CancellationToken ct)
    {
        var found = new StoredRow?[keys.Count];
        var asked = Enumerable.Range(0, keys.Count).Where(i => keys[i] is not null).ToList();
        if (asked.Count == 0) return found;
        _connection ??= await db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(sql.SelectStored, _connection);
        for (var part = 0; part < sql.Key.Count; part++)
            cmd.Parameters.Add(new() { Value = asked.Select(i => keys[i]![part]).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        while (await row.ReadAsync(ct))
            found[asked[row.GetInt32(0) - 1]] = new StoredRow(row.GetInt32(1), FeatureJson.ReadValues(row, layer));
        return found;
    }

    /// <summary>What a matched row starts from: the stored values, but the defaults of the fields the file gives.</summary>
    public Dictionary<string, object?> Start(StoredRow row) =>
        layer.Fields.ToDictionary(f => f.Name, f => f.ReadOnly ? null : given.Contains(f.Name) ? f.Default : row.Values[f.Name]);

    /// <summary>
    /// After the merge: a row that kept stored values for the fields its file lacks was merged with a row someone changed
    /// after it was read (or deleted, or inserted since), so writing it would put back what they changed. The whole file is refused.
    /// </summary>
    public async Task RefuseMovedAsync(WriteTransaction tx, Guid uploadId, CancellationToken ct)
    {
        await using var cmd = tx.Command(sql.Moved);
        cmd.Parameters.Add(new() { Value = uploadId });
        var rows = new List<int>();
        await using (var row = await cmd.ExecuteReaderAsync(ct))
            while (await row.ReadAsync(ct)) rows.Add(row.GetInt32(0));
        if (rows.Count == 0) return;
        throw new UploadFileException(409, "Rows changed during the upload",
            $"Someone else changed the {layer.Noun}s of these rows while this upload ran: {string.Join(", ", rows.Take(20))}{(rows.Count > 20 ? " …" : "")}. " +
            "The file does not give all their fields, so writing them would undo that change; nothing was stored. Upload the file again.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
