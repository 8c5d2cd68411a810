using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;

namespace NapGeo.Tiles;

/// <summary>
/// LISTENs on <c>napgeo_tiles</c> (see migration 0010) and drops the cached tiles each notification names, so
/// every instance sharing the database forgets changed tiles whoever wrote them. While disconnected it cannot know
/// what changed, so on every (re)connect it flushes the cache before trusting it again.
/// </summary>
public sealed class TileInvalidationListener(NpgsqlDataSource db, TileService tiles, ILogger<TileInvalidationListener> log) : BackgroundService
{
    public const string Channel = "napgeo_tiles";
    public const string ApplicationName = "napgeo-tiles-listener";
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _barriers = new();
    private volatile bool _listening;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            NpgsqlConnection? connection = null;
            try
            {
                connection = await db.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => Handle(e.Payload);
                // Named so operators (and the reconnect test) can find it in pg_stat_activity.
                await using (var cmd = new NpgsqlCommand($"SET application_name = '{ApplicationName}'; LISTEN {Channel}", connection))
                    await cmd.ExecuteNonQueryAsync(stoppingToken);
                tiles.Flush();
                _listening = true;
                delay = TimeSpan.FromMilliseconds(200);
                log.LogInformation("Listening for tile invalidations on {Channel}", Channel);
                while (true)
                {
                    // A quiet minute gets a ping, so a connection that died silently is noticed and replaced.
                    if (await connection.WaitAsync(TimeSpan.FromSeconds(60), stoppingToken)) continue;
                    await using var ping = new NpgsqlCommand("SELECT 1", connection);
                    await ping.ExecuteNonQueryAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _listening = false;
                log.LogWarning(e, "Tile invalidation listener lost its connection; reconnecting in {Delay}", delay);
                try { await Task.Delay(delay, stoppingToken); } catch (OperationCanceledException) { return; }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
            finally
            {
                if (connection is not null) await ReturnAsync(connection);
            }
        }
    }

    /// <summary>
    /// The pool does not reset connections (see NapGeoDatabase.Create), so a connection still open goes back without
    /// its LISTEN and name. One that cannot take the command is broken, and a broken connection is not pooled.
    /// </summary>
    private static async Task ReturnAsync(NpgsqlConnection connection)
    {
        try
        {
            if (connection.FullState == System.Data.ConnectionState.Open)
            {
                await using var reset = new NpgsqlCommand("UNLISTEN *; RESET application_name", connection) { CommandTimeout = 5 };
                await reset.ExecuteNonQueryAsync();
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException) { }
        await connection.DisposeAsync();
    }

    /// <summary>
    /// Waits until this instance has processed every notification committed before the call (read-your-writes for
    /// the API: a write's response is only sent once its tiles are gone here). Sends a marker through the same
    /// channel; PostgreSQL delivers notifications in commit order.
    /// </summary>
    public async Task SyncAsync(CancellationToken ct)
    {
        if (!_listening) return;
        var id = Guid.NewGuid().ToString("N");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _barriers[id] = done;
        try
        {
            await using (var cmd = db.CreateCommand("SELECT pg_notify($1, $2)"))
            {
                cmd.Parameters.Add(new() { Value = Channel });
                cmd.Parameters.Add(new() { Value = $"{{\"barrier\":\"{id}\"}}" });
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await done.Task.WaitAsync(TimeSpan.FromSeconds(5), ct);
        }
        catch (TimeoutException)
        {
            log.LogWarning("Tile invalidation barrier timed out");
        }
        finally
        {
            _barriers.TryRemove(id, out _);
        }
    }

    private void Handle(string payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.TryGetProperty("barrier", out var barrier))
            {
                if (_barriers.TryGetValue(barrier.GetString()!, out var done)) done.TrySetResult();
                return;
            }
            var table = root.GetProperty("table").GetString()!;
            if (root.TryGetProperty("flush", out _))
            {
                tiles.Flush(table);
                return;
            }
            var boxes = root.GetProperty("boxes").EnumerateArray()
                .Select(b => new LonLatBox(b[0].GetDouble(), b[1].GetDouble(), b[2].GetDouble(), b[3].GetDouble()))
                .ToList();
            tiles.Invalidate(table, boxes);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            // A payload we cannot read may still mean a change: forget everything rather than serve stale tiles.
            log.LogWarning(e, "Unreadable tile invalidation {Payload}; flushing the tile cache", payload);
            tiles.Flush();
        }
    }
}
