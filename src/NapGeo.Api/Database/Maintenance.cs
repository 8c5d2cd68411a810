using System.Diagnostics;
using System.Globalization;
using NapGeo.Layers;
using Npgsql;

namespace NapGeo.Database;

/// <summary>
/// <c>maintain</c>: rewrites each layer table in the order of its locations, then vacuums it (for its visibility map) and refreshes the planner's statistics.
/// Rows are stored in the order they were written, so features that arrived in different uploads, or were edited
/// since, lie on pages far apart, and reading one small area touches a page per feature: on a million randomly
/// placed samples a page of <c>items?bbox=</c> cost PostgreSQL about 1.5 times the CPU it costs once clustered
/// (bench/features.md). The rewrite locks each table against reads and writes while it runs (20–25 s per million
/// samples here), so it is an operator's task for a quiet hour, not something the server does by itself.
/// </summary>
public static class Maintenance
{
    /// <summary>Every table in turn; a table in use is left as it was and the others still done. False if one was left.</summary>
    public static async Task<bool> RunAsync(NpgsqlDataSource db, TextWriter progress, TextWriter problems, CancellationToken ct)
    {
        var allDone = true;
        foreach (var layer in LayerCatalog.All)
        {
            var clock = Stopwatch.StartNew();
            await using var connection = await db.OpenConnectionAsync(ct);
            if (!await ClusterAsync(connection, layer.Name, ct))
            {
                problems.WriteLine($"error: {layer.Name} stayed in use for {Tries * (TryWait + Pause).TotalSeconds:0} s (an export, an upload or an open transaction); it was left as it was. Run maintain again in a quieter moment.");
                allDone = false;
                continue;
            }
            // CLUSTER leaves the new table without a visibility map: until a VACUUM marks its pages all-visible, a page of
            // items?bbox= reads every match from the table instead of from the point index alone, and the planner, seeing
            // no visible pages, turns to bitmap scans. Autovacuum would not come: a rewrite adds no dead or new rows.
            await using (var vacuum = new NpgsqlCommand($"VACUUM (ANALYZE) {layer.Name}", connection) { CommandTimeout = 0 }) await vacuum.ExecuteNonQueryAsync(ct);
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {layer.Name}", connection);
            var rows = (long)(await count.ExecuteScalarAsync(ct))!;
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{layer.Name}: {rows:N0} rows stored in the order of their locations, then vacuumed and analyzed ({clock.Elapsed.TotalSeconds:0.0} s)"));
        }
        return allDone;
    }

    // Each try waits up to TryWait for the table (lock_timeout in the SQL); readers that arrive meanwhile queue behind the
    // request, so the pause between tries lets them through rather than stalling them for the whole wait.
    private const int Tries = 20;
    private static readonly TimeSpan TryWait = TimeSpan.FromMilliseconds(200), Pause = TimeSpan.FromMilliseconds(300);

    /// <summary>Rewrites <paramref name="table"/> in location order; false when it stayed in use through every try.</summary>
    private static async Task<bool> ClusterAsync(NpgsqlConnection connection, string table, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            // The table name comes from the catalog, never from the operator.
            await using var cluster = new NpgsqlCommand(SqlResource.Load("Database.Sql.cluster_by_location.sql").Replace("{{table}}", table), connection, tx)
                { CommandTimeout = 0 };
            try
            {
                await cluster.ExecuteNonQueryAsync(ct);
                await tx.CommitAsync(ct);
                return true;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                await tx.RollbackAsync(ct);
                if (attempt == Tries) return false;
                await Task.Delay(Pause, ct);
            }
        }
    }
}
