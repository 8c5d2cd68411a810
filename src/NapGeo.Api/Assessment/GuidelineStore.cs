using NapGeo.Database;
using Npgsql;

namespace NapGeo.Assessment;

public sealed record GuidelineSet(string Code, string Name, string? Description, DateTime UpdatedAt, string UpdatedBy, IReadOnlyList<Guideline> Guidelines);

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
        var sets = new List<(string Code, string Name, string? Description, DateTime At, string By)>();
        await using (var cmd = new NpgsqlCommand("SELECT code, name, description, updated_at, updated_by FROM guideline_sets ORDER BY code = 'default' DESC, code", connection))
        await using (var row = await cmd.ExecuteReaderAsync(ct))
            while (await row.ReadAsync(ct))
                sets.Add((row.GetString(0), row.GetString(1), row.IsDBNull(2) ? null : row.GetString(2), row.GetDateTime(3), row.GetString(4)));
        var result = new List<GuidelineSet>();
        foreach (var set in sets)
            result.Add(new GuidelineSet(set.Code, set.Name, set.Description, set.At, set.By, await RowsAsync(connection, null, set.Code, ct)));
        return result;
    }

    public async Task<GuidelineSet?> GetAsync(string code, CancellationToken ct) =>
        (await ListAsync(ct)).FirstOrDefault(s => s.Code == code);

    /// <summary>Creates or replaces a national set; returns the number of samples whose assessment changed.</summary>
    public async Task<long> ReplaceAsync(string code, string name, string? description, IReadOnlyList<Guideline> guidelines, string actor, CancellationToken ct)
    {
        await using var tx = await WriteTransaction.BeginAsync(db, actor, ct);
        await using (var cmd = tx.Command("""
            INSERT INTO guideline_sets (code, name, description) VALUES ($1, $2, $3)
            ON CONFLICT (code) DO UPDATE SET name = $2, description = $3, updated_at = now(), updated_by = napgeo_actor()
            """))
        {
            cmd.Parameters.Add(new() { Value = code });
            cmd.Parameters.Add(new() { Value = name });
            cmd.Parameters.Add(new() { Value = (object?)description ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await WriteRowsAsync(tx, code, guidelines, ct);
        var changed = await ReassessAsync(tx, $"Guideline set {code} replaced", ct);
        await tx.CommitAsync(ct);
        return changed;
    }

    /// <summary>Removes a national set (its samples fall back to the default set); null when there is no such set.</summary>
    public async Task<long?> DeleteAsync(string code, string actor, CancellationToken ct)
    {
        await using var tx = await WriteTransaction.BeginAsync(db, actor, ct);
        await using (var cmd = tx.Command("DELETE FROM guideline_sets WHERE code = $1 AND code <> 'default'"))
        {
            cmd.Parameters.Add(new() { Value = code });
            if (await cmd.ExecuteNonQueryAsync(ct) == 0) return null;
        }
        var changed = await ReassessAsync(tx, $"Guideline set {code} removed", ct);
        await tx.CommitAsync(ct);
        return changed;
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
            await WriteRowsAsync(tx, DefaultSet, csv, ct);
            await using var touch = tx.Command("UPDATE guideline_sets SET updated_at = now(), updated_by = napgeo_actor() WHERE code = 'default'");
            await touch.ExecuteNonQueryAsync(ct);
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
