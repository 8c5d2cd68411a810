using NapGeo.Database;
using Npgsql;

namespace NapGeo.Assessment;

public sealed record GuidelineSet(string Code, string Name, string? Description, DateTime UpdatedAt, string UpdatedBy, int Version,
    IReadOnlyList<Guideline> Guidelines);

/// <summary>One audited change of a guideline set (migration 0135): the whole set before and after, null when absent.</summary>
public sealed record GuidelineSetChange(DateTime At, string Actor, string Action, System.Text.Json.JsonElement? Before, System.Text.Json.JsonElement? After);

/// <summary>A write's outcome: the samples re-assessed, or, when its condition did not hold, the set's version (null: no set).</summary>
public sealed record SetWrite(long Reassessed, bool ConditionFailed = false, int? CurrentVersion = null);

public sealed record ClassMultipliers(double High, double Critical);

/// <summary>
/// Guideline sets in the database. Every change re-assesses the affected samples, and re-derives the hotspots when they
/// changed, in the same transaction: a sample's exceedance never refers to a guideline that no longer holds, and a change
/// whose derivation fails is not saved (the caller sees the error and can try again) instead of leaving stale hotspots.
/// </summary>
public sealed class GuidelineStore(NpgsqlDataSource db, HotspotRefresh hotspots, ILogger<GuidelineStore> log)
{
    public const string DefaultSet = "default";
    private const string Columns = "id, matrix, value, unit, is_default, name, protects, source, url, year, verified, note";

    public async Task<ClassMultipliers> MultipliersAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT high_multiplier, critical_multiplier FROM assessment_settings");
        await using var row = await cmd.ExecuteReaderAsync(ct);
        await row.ReadAsync(ct);
        return new ClassMultipliers(row.GetDouble(0), row.GetDouble(1));
    }

    public async Task<IReadOnlyList<GuidelineSet>> ListAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var sets = new List<(string Code, string Name, string? Description, DateTime At, string By, int Version)>();
        await using (var cmd = new NpgsqlCommand("SELECT code, name, description, updated_at, updated_by, version FROM guideline_sets ORDER BY code = 'default' DESC, code", connection))
        await using (var row = await cmd.ExecuteReaderAsync(ct))
            while (await row.ReadAsync(ct))
                sets.Add((row.GetString(0), row.GetString(1), row.IsDBNull(2) ? null : row.GetString(2), row.GetDateTime(3), row.GetString(4), row.GetInt32(5)));
        var result = new List<GuidelineSet>();
        foreach (var set in sets)
            result.Add(new GuidelineSet(set.Code, set.Name, set.Description, set.At, set.By, set.Version, await RowsAsync(connection, null, set.Code, ct)));
        return result;
    }

    public async Task<GuidelineSet?> GetAsync(string code, CancellationToken ct) =>
        (await ListAsync(ct)).FirstOrDefault(s => s.Code == code);

    /// <summary>A set's audited changes, newest first (its last 1 000); they outlive a removed set.</summary>
    public async Task<IReadOnlyList<GuidelineSetChange>> HistoryAsync(string code, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT at, actor, action, before::text, after::text FROM audit_log
            WHERE table_name = 'guideline_sets' AND row_id = napgeo_guideline_set_row_id($1)
            ORDER BY id DESC LIMIT 1000
            """);
        cmd.Parameters.Add(new() { Value = code });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        var changes = new List<GuidelineSetChange>();
        System.Text.Json.JsonElement? Json(int i)
        {
            if (row.IsDBNull(i)) return null;
            using var document = System.Text.Json.JsonDocument.Parse(row.GetString(i));
            return document.RootElement.Clone();
        }
        while (await row.ReadAsync(ct))
            changes.Add(new GuidelineSetChange(row.GetDateTime(0), row.GetString(1), row.GetString(2), Json(3), Json(4)));
        return changes;
    }

    /// <summary>Creates or replaces a national set when <paramref name="condition"/> holds; audited (migration 0135).</summary>
    public async Task<SetWrite> ReplaceAsync(string code, string name, string? description, IReadOnlyList<Guideline> guidelines, string actor,
        SetCondition condition, CancellationToken ct)
    {
        await using var tx = await WriteTransaction.BeginAsync(db, actor, ct);
        var (version, before) = await LockAsync(tx, code, ct);
        if (!condition.Holds(version)) return new SetWrite(0, ConditionFailed: true, version);
        await using (var cmd = tx.Command("""
            INSERT INTO guideline_sets (code, name, description, version) VALUES ($1, $2, $3, napgeo_guideline_set_first_version($1))
            ON CONFLICT (code) DO UPDATE SET name = $2, description = $3, updated_at = now(), updated_by = napgeo_actor(),
                                             version = guideline_sets.version + 1
            """))
        {
            cmd.Parameters.Add(new() { Value = code });
            cmd.Parameters.Add(new() { Value = name });
            cmd.Parameters.Add(new() { Value = (object?)description ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await WriteRowsAsync(tx, code, guidelines, ct);
        await AuditAsync(tx, code, before, ct);
        var changed = await ReassessAsync(tx, $"Guideline set {code} replaced", ct);
        await tx.CommitAsync(ct);
        return new SetWrite(changed);
    }

    /// <summary>Removes a national set (its samples fall back to the default set) when <paramref name="condition"/> holds; null when there is no such set.</summary>
    public async Task<SetWrite?> DeleteAsync(string code, string actor, SetCondition condition, CancellationToken ct)
    {
        await using var tx = await WriteTransaction.BeginAsync(db, actor, ct);
        var (version, before) = await LockAsync(tx, code, ct);
        if (version is null) return null;
        if (!condition.Holds(version)) return new SetWrite(0, ConditionFailed: true, version);
        await using (var cmd = tx.Command("DELETE FROM guideline_sets WHERE code = $1 AND code <> 'default'"))
        {
            cmd.Parameters.Add(new() { Value = code });
            if (await cmd.ExecuteNonQueryAsync(ct) == 0) return null;
        }
        await AuditAsync(tx, code, before, ct);
        var changed = await ReassessAsync(tx, $"Guideline set {code} removed", ct);
        await tx.CommitAsync(ct);
        return new SetWrite(changed);
    }

    /// <summary>
    /// Takes the set's write lock (writers of one set go one at a time, so a condition checked here still holds at the
    /// write, and the audit's "before" is what the write replaced) and reads its version and contents; nulls when absent.
    /// </summary>
    private static async Task<(int? Version, string? Json)> LockAsync(WriteTransaction tx, string code, CancellationToken ct)
    {
        await using (var lockCmd = tx.Command("SELECT pg_advisory_xact_lock(hashtext('napgeo.guideline_sets'), hashtext($1))"))
        {
            lockCmd.Parameters.Add(new() { Value = code });
            await lockCmd.ExecuteNonQueryAsync(ct);
        }
        await using var cmd = tx.Command("SELECT version, napgeo_guideline_set_json(code)::text FROM guideline_sets WHERE code = $1");
        cmd.Parameters.Add(new() { Value = code });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        return await row.ReadAsync(ct) ? (row.GetInt32(0), row.GetString(1)) : (null, null);
    }

    private static async Task AuditAsync(WriteTransaction tx, string code, string? before, CancellationToken ct)
    {
        await using var cmd = tx.Command("SELECT napgeo_audit_guideline_set($1, $2::jsonb)");
        cmd.Parameters.Add(new() { Value = code });
        cmd.Parameters.Add(new() { Value = (object?)before ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Makes the default set equal to data/guidelines.csv and the class multipliers equal to the configuration;
    /// re-assesses when either changed. Idempotent: a start-up with nothing new writes nothing.
    /// </summary>
    public async Task<long> SyncDefaultsAsync(IReadOnlyList<Guideline> csv, ClassMultipliers multipliers, CancellationToken ct)
    {
        await using var tx = await WriteTransaction.BeginAsync(db, "system:guidelines.csv", ct);
        await using (var lockCmd = tx.Command("SELECT pg_advisory_xact_lock(hashtext('napgeo.guidelines'))")) await lockCmd.ExecuteNonQueryAsync(ct);
        var current = await RowsAsync(tx.Connection, tx.Transaction, DefaultSet, ct);
        var changed = !Sorted(current).SequenceEqual(Sorted(csv));
        bool multipliersChanged;
        if (changed)
        {
            var (_, before) = await LockAsync(tx, DefaultSet, ct);
            await WriteRowsAsync(tx, DefaultSet, csv, ct);
            await using (var touch = tx.Command("UPDATE guideline_sets SET updated_at = now(), updated_by = napgeo_actor(), version = version + 1 WHERE code = 'default'"))
                await touch.ExecuteNonQueryAsync(ct);
            await AuditAsync(tx, DefaultSet, before, ct);
        }
        await using (var settings = tx.Command("""
            UPDATE assessment_settings SET high_multiplier = $1, critical_multiplier = $2
            WHERE (high_multiplier, critical_multiplier) IS DISTINCT FROM ($1, $2)
            """))
        {
            settings.Parameters.Add(new() { Value = multipliers.High });
            settings.Parameters.Add(new() { Value = multipliers.Critical });
            multipliersChanged = await settings.ExecuteNonQueryAsync(ct) > 0;
        }
        // New multipliers re-grade a hotspot (its severity compares its ratios with them) even when no sample's class moves.
        var reassessed = changed || multipliersChanged
            ? await ReassessAsync(tx, "Default guidelines or class multipliers changed", ct, refreshHotspots: multipliersChanged)
            : 0;
        await tx.CommitAsync(ct);
        return reassessed;
    }

    private static IEnumerable<Guideline> Sorted(IEnumerable<Guideline> rows) => rows.OrderBy(g => g.Id, StringComparer.Ordinal);

    private async Task<long> ReassessAsync(WriteTransaction tx, string cause, CancellationToken ct, bool refreshHotspots = false)
    {
        // Writers of samples wait until this commits: a sample inserted meanwhile would be assessed against the old
        // guidelines by its trigger and missed by this re-assessment, which cannot see it. Reads go on.
        await using (var lockCmd = tx.Command("LOCK TABLE samples IN SHARE ROW EXCLUSIVE MODE")) await lockCmd.ExecuteNonQueryAsync(ct);
        log.LogInformation("{Cause}: re-assessing samples", cause);
        long changed;
        await using (var cmd = tx.Command("SELECT napgeo_reassess_samples()"))
        {
            cmd.CommandTimeout = 0; // one pass over every sample: minutes for millions, and it must finish (it runs at start-up too)
            changed = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        log.LogInformation("{Cause}: re-assessed {Count} samples", cause, changed);
        if (changed > 0 || refreshHotspots) await hotspots.RefreshAsync(tx, cause, ct);
        return changed;
    }

    private static async Task WriteRowsAsync(WriteTransaction tx, string code, IReadOnlyList<Guideline> guidelines, CancellationToken ct)
    {
        await using (var delete = tx.Command("DELETE FROM guidelines WHERE set_code = $1"))
        {
            delete.Parameters.Add(new() { Value = code });
            await delete.ExecuteNonQueryAsync(ct);
        }
        foreach (var g in guidelines)
        {
            await using var insert = tx.Command($"INSERT INTO guidelines (set_code, {Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)");
            object?[] values = [code, g.Id, g.Matrix, g.Value, g.Unit, g.IsDefault, g.Name, g.Protects, g.Source, g.Url, g.Year, g.Verified, g.Note];
            foreach (var value in values) insert.Parameters.Add(new() { Value = value ?? DBNull.Value });
            insert.Parameters[10].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer;
            foreach (var i in new[] { 7, 9, 11, 12 }) insert.Parameters[i].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task<List<Guideline>> RowsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string code, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM guidelines WHERE set_code = $1 ORDER BY matrix, unit, is_default DESC, id", connection, transaction);
        cmd.Parameters.Add(new() { Value = code });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        var result = new List<Guideline>();
        string? Text(int i) => row.IsDBNull(i) ? null : row.GetString(i);
        while (await row.ReadAsync(ct))
            result.Add(new Guideline(row.GetString(0), row.GetString(1), row.GetDouble(2), row.GetString(3), row.GetBoolean(4), row.GetString(5),
                Text(6), row.GetString(7), Text(8), row.IsDBNull(9) ? null : row.GetInt32(9), Text(10), Text(11)));
        return result;
    }
}
