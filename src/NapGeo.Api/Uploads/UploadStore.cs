using System.Text.Json;
using NapGeo.Database;
using NapGeo.Layers;
using Npgsql;
using NpgsqlTypes;

namespace NapGeo.Uploads;

/// <summary>The <c>uploads</c> table: records, progress, reports, and the roll-back of an upload.</summary>
public sealed class UploadStore(NpgsqlDataSource db)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new NulShown() },
    };

    /// <summary>
    /// jsonb cannot hold a NUL character (\u0000): a report quoting a cell or a file's text with one failed to store
    /// ("unsupported Unicode escape sequence"), and the upload with it. Cells and headers with one are refused before
    /// they reach a report; this keeps any other quoted text (a GeoJSON geometry's type, say) storable, shown as ␀.
    /// </summary>
    private sealed class NulShown : System.Text.Json.Serialization.JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString();
        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(RowConverter.Shown(value));
        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString()!;
        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(RowConverter.Shown(value)!);
    }

    private const string Columns =
        "report, status, rows_processed, rows_total, finished_at, rolled_back_at, rolled_back_by";

    /// <summary>Inserts the record of a running upload, committed at once so that GET sees its progress.</summary>
    public async Task InsertAsync(UploadRecord record, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO uploads (id, file_name, sha256, size_bytes, format, target, campaign, crs, on_error, actor, status, created_at, rows_total, report)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """;
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new() { Value = record.Id });
        cmd.Parameters.Add(new() { Value = record.FileName });
        cmd.Parameters.Add(new() { Value = record.Sha256 });
        cmd.Parameters.Add(new() { Value = record.SizeBytes });
        cmd.Parameters.Add(new() { Value = record.Format });
        cmd.Parameters.Add(new() { Value = record.Target });
        cmd.Parameters.Add(new() { Value = (object?)record.Campaign ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)record.Crs ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = record.OnError });
        cmd.Parameters.Add(new() { Value = record.KeyName });
        cmd.Parameters.Add(new() { Value = record.Status });
        cmd.Parameters.Add(new() { Value = record.CreatedAt });
        cmd.Parameters.Add(new() { Value = (object?)record.Progress.Total ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(record, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Taken by an upload's transaction before its "running" record is committed and held until it ends. When the process
    /// running the upload dies, PostgreSQL ends the transaction and frees the lock, while the record still says "running".
    /// </summary>
    public async Task HoldRunningLockAsync(WriteTransaction tx, Guid id, CancellationToken ct)
    {
        await using var cmd = tx.Command($"SELECT pg_advisory_xact_lock({RunningLockClass}, hashtext($1::text))");
        cmd.Parameters.Add(new() { Value = id });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The advisory lock class of running uploads (the key is the hash of the upload id); migrations use 727400001.</summary>
    public const int RunningLockClass = 727400002;

    public const string AbandonedReason = "the server stopped while the upload ran; nothing was stored. Upload the file again.";

    /// <summary>
    /// "running" records whose lock nobody holds become "failed": their process died, and with it their transaction, so
    /// nothing of them was stored. Run before uploads are read, so no reader sees a dead upload as running.
    /// </summary>
    private async Task MarkAbandonedAsync(CancellationToken ct)
    {
        var sql = $$"""
            UPDATE uploads SET status = 'failed', finished_at = now(),
                report = jsonb_set(report, '{errors}', coalesce(report -> 'errors', '[]') || jsonb_build_array(jsonb_build_object('reason', $1::text)))
            WHERE status = 'running' AND pg_try_advisory_xact_lock({{RunningLockClass}}, hashtext(id::text))
            """;
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new() { Value = AbandonedReason });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Progress of a running upload, on its own connection so that readers see it before the upload commits.</summary>
    public async Task ProgressAsync(Guid id, int processed, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("UPDATE uploads SET rows_processed = $2 WHERE id = $1 AND status = 'running'");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = processed });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>What reading the file found (row count, CRS, columns, mapping, warnings), for readers while the rows are processed.</summary>
    public async Task DescribeAsync(UploadRecord record, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("UPDATE uploads SET rows_total = $2, crs = $3, report = $4 WHERE id = $1 AND status = 'running'");
        cmd.Parameters.Add(new() { Value = record.Id });
        cmd.Parameters.Add(new() { Value = (object?)record.Progress.Total ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        cmd.Parameters.Add(new() { Value = (object?)record.Crs ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(record, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Stores the final state and report; inside the upload's transaction when it commits with it.</summary>
    public async Task FinishAsync(UploadRecord record, WriteTransaction? tx, CancellationToken ct)
    {
        const string sql = """
            UPDATE uploads SET status = $2, rows_processed = $3, rows_total = $4, finished_at = $5, counts = $6, report = $7, crs = $8
            WHERE id = $1
            """;
        await using var cmd = tx?.Command(sql) ?? db.CreateCommand(sql);
        cmd.Parameters.Add(new() { Value = record.Id });
        cmd.Parameters.Add(new() { Value = record.Status });
        cmd.Parameters.Add(new() { Value = record.Progress.Processed });
        cmd.Parameters.Add(new() { Value = (object?)record.Progress.Total ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        cmd.Parameters.Add(new() { Value = record.FinishedAt ?? DateTime.UtcNow });
        cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(record.Counts, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(record, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new() { Value = (object?)record.Crs ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<UploadRecord?> GetAsync(Guid id, CancellationToken ct)
    {
        await MarkAbandonedAsync(ct);
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM uploads WHERE id = $1");
        cmd.Parameters.Add(new() { Value = id });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        return await row.ReadAsync(ct) ? Read(row) : null;
    }

    /// <summary>Newest first, without the row issues (GET one upload for those).</summary>
    public async Task<List<UploadRecord>> ListAsync(int limit, int offset, CancellationToken ct)
    {
        await MarkAbandonedAsync(ct);
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM uploads ORDER BY created_at DESC, id LIMIT $1 OFFSET $2");
        cmd.Parameters.Add(new() { Value = limit });
        cmd.Parameters.Add(new() { Value = offset });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        var list = new List<UploadRecord>();
        while (await row.ReadAsync(ct))
        {
            var record = Read(row);
            record.Errors = [];
            record.Warnings = [];
            list.Add(record);
        }
        return list;
    }

    private static UploadRecord Read(NpgsqlDataReader row)
    {
        var record = JsonSerializer.Deserialize<UploadRecord>(row.GetString(0), Json)!;
        record.Status = row.GetString(1);
        record.Progress = new UploadProgress(row.GetInt32(2), row.IsDBNull(3) ? null : row.GetInt32(3));
        record.FinishedAt = row.IsDBNull(4) ? null : row.GetDateTime(4);
        record.RolledBackAt = row.IsDBNull(5) ? null : row.GetDateTime(5);
        record.RolledBackBy = row.IsDBNull(6) ? null : row.GetString(6);
        return record;
    }

    /// <summary>A committed upload of the same file into the same layer, if any.</summary>
    public async Task<(Guid Id, DateTime At, string Actor, string? Campaign)?> FindSameFileAsync(string sha256, string target, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT id, created_at, actor, campaign FROM uploads WHERE sha256 = $1 AND target = $2 AND status = 'committed' ORDER BY created_at DESC LIMIT 1");
        cmd.Parameters.Add(new() { Value = sha256 });
        cmd.Parameters.Add(new() { Value = target });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        return await row.ReadAsync(ct) ? (row.GetGuid(0), row.GetDateTime(1), row.GetString(2), row.IsDBNull(3) ? null : row.GetString(3)) : null;
    }

    /// <summary>
    /// Undoes a committed upload in one transaction: deletes the rows it inserted and restores the before-images of the rows it
    /// updated. Refuses when any of those rows has changed since (its version moved on, or it was deleted), naming them.
    /// </summary>
    public async Task<UploadRecord?> RollbackAsync(Guid id, string actor, CancellationToken ct)
    {
        await using var tx = await WriteTransaction.BeginAsync(db, actor, ct);
        string status, target;
        await using (var cmd = tx.Command("SELECT status, target FROM uploads WHERE id = $1 FOR UPDATE"))
        {
            cmd.Parameters.Add(new() { Value = id });
            await using var row = await cmd.ExecuteReaderAsync(ct);
            if (!await row.ReadAsync(ct)) return null;
            (status, target) = (row.GetString(0), row.GetString(1));
        }
        if (status != "committed")
            throw new UploadConflictException($"Upload {id} is {status.Replace('_', ' ')}; only a committed upload can be rolled back.", []);
        var sql = new UploadSql(LayerCatalog.Find(target)!);
        await Execute(tx, sql.LockChanged, id, ct);
        var conflicts = new List<string>();
        await using (var cmd = tx.Command(sql.Conflicts))
        {
            cmd.Parameters.Add(new() { Value = id });
            await using var row = await cmd.ExecuteReaderAsync(ct);
            while (await row.ReadAsync(ct))
            {
                var what = row.IsDBNull(2)
                    ? "has been deleted since"
                    : $"is at version {row.GetInt32(2)}, the upload left version {row.GetInt32(3)}";
                var by = row.IsDBNull(4) ? "" : $" (last change by {row.GetString(4)} at {FeatureJson.Timestamp(row.GetDateTime(5))})";
                conflicts.Add($"row {row.GetInt32(0)}: {target} {row.GetGuid(1)} {what}{by}");
            }
        }
        if (conflicts.Count > 0)
            throw new UploadConflictException(
                $"{conflicts.Count} {target} changed by this upload have been changed since; rolling it back would overwrite that. " +
                "Undo or re-apply those changes by hand first. " + string.Join("; ", conflicts.Take(20)) + (conflicts.Count > 20 ? "; …" : "."),
                conflicts);
        await Execute(tx, sql.DeleteInserted, id, ct);
        await Execute(tx, sql.RestoreUpdated, id, ct);
        await Execute(tx, sql.HandOverVersions, id, ct);
        await using (var cmd = tx.Command("UPDATE uploads SET status = 'rolled_back', rolled_back_at = now(), rolled_back_by = $2 WHERE id = $1"))
        {
            cmd.Parameters.Add(new() { Value = id });
            cmd.Parameters.Add(new() { Value = actor });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return await GetAsync(id, ct);
    }

    private static async Task Execute(WriteTransaction tx, string sql, Guid id, CancellationToken ct)
    {
        await using var cmd = tx.Command(sql);
        cmd.Parameters.Add(new() { Value = id });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
