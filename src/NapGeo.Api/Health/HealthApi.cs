using Microsoft.AspNetCore.Http.HttpResults;
using NapGeo.Database;
using NapGeo.Http;
using Npgsql;

namespace NapGeo.Health;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGetAndHead("", () => TypedResults.Ok(new { status = "alive" }))
            .WithName("Liveness").WithSummary("Liveness: the process answers");
        group.MapGetAndHead("/ready", Ready)
            .WithName("Readiness").WithSummary("Readiness: the database answers and every migration is applied")
            .Produces(503);
        return app;
    }

    private static async Task<Results<Ok<ReadyStatus>, JsonHttpResult<ReadyStatus>>> Ready(
        IConfiguration configuration, ILoggerFactory logs, CancellationToken ct)
    {
        try
        {
            // A connection of its own, outside the pool: requests holding every pooled connection (slow downloads) are a
            // busy server, and the probe must not report them as a database it cannot reach.
            var own = new NpgsqlConnectionStringBuilder(NapGeoDatabase.ConnectionString(configuration)) { Pooling = false, Timeout = 5 };
            await using var connection = new NpgsqlConnection(own.ConnectionString);
            await connection.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT postgis_lib_version()", connection);
            var postgis = (string)(await cmd.ExecuteScalarAsync(ct))!;
            var pending = NapGeoDatabase.PendingMigrations(NapGeoDatabase.ConnectionString(configuration));
            var status = new ReadyStatus(pending.Count == 0 ? "ready" : "migrations pending", postgis, pending);
            return pending.Count == 0 ? TypedResults.Ok(status) : TypedResults.Json(status, statusCode: 503);
        }
        catch (NpgsqlException e)
        {
            // The probe is anonymous: the reason (host, port, role) goes to the log, not to whoever asks.
            logs.CreateLogger("NapGeo.Health").LogWarning(e, "Readiness: the database is unreachable");
            return TypedResults.Json(new ReadyStatus("database unreachable (see the server log)", null, []), statusCode: 503);
        }
    }

    public sealed record ReadyStatus(string Status, string? Postgis, IReadOnlyList<string> PendingMigrations);
}
