using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace NapGeo.Database;

/// <summary>
/// Admission control for database work. The short, CPU-bound reads that viewers and dashboards fire in bursts (feature
/// pages): letting 32 requests run 32 queries at once on a small machine makes every one of them slow, as backends, the
/// API and the clients fight for the same cores and the tail grows. At most <c>Database:ConcurrentReads</c> (default
/// 2 per core) run; the others wait their turn in arrival order, so latency stays even.
/// Long work has gates of its own, because each holds database connections for as long as it runs: a few dozen slow
/// downloads held the whole pool, and every other request, readiness included, failed. Downloads
/// (<see cref="ExportPolicy"/>, <c>Database:ConcurrentExports</c>) and uploads (<see cref="UploadPolicy"/>,
/// <c>NapGeo:Uploads:Concurrent</c>; an upload holds its transaction and a progress connection) run a few at a time, a
/// few more wait, and beyond that the answer is a 503 to retry. A download takes its place in <see cref="ExportGate"/> only
/// once it knows it has rows to send: its HEAD and its 304 revalidation cost one small query and do not queue behind
/// full downloads.
/// </summary>
public static class DatabaseGates
{
    public const string Policy = "database-reads";
    public const string UploadPolicy = "uploads";
    private const int QueueLimit = 10_000;

    public static IServiceCollection AddDatabaseGates(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetValue("Database:ConcurrentReads", 2 * Environment.ProcessorCount);
        var exports = Gate(configuration, "Database:ConcurrentExports", "Database:QueuedExports");
        var uploads = Gate(configuration, "NapGeo:Uploads:Concurrent", "NapGeo:Uploads:Queued");
        services.AddSingleton(new ExportGate(exports.Running, exports.Waiting));
        services.AddRateLimiter(o =>
        {
            o.AddConcurrencyLimiter(Policy, c =>
            {
                c.PermitLimit = Math.Max(1, permits);
                c.QueueLimit = QueueLimit;
                c.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            o.AddConcurrencyLimiter(UploadPolicy, c =>
            {
                c.PermitLimit = uploads.Running;
                c.QueueLimit = uploads.Waiting;
                c.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            o.OnRejected = async (context, ct) =>
            {
                var policy = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
                (string RetryAfter, string Detail) answer = policy switch
                {
                    UploadPolicy => ("30", $"{uploads.Running} uploads are running and {uploads.Waiting} waiting; retry in 30 seconds."),
                    _ => ("1", $"More than {QueueLimit.ToString(CultureInfo.InvariantCulture)} reads are waiting; retry in a second."),
                };
                context.HttpContext.Response.Headers.RetryAfter = answer.RetryAfter;
                await Results.Problem(statusCode: 503, title: "Busy", detail: answer.Detail).ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    /// <summary>How many may run (default: the cores, at least 2) and wait (default: twice that) under a gate.</summary>
    private static (int Running, int Waiting) Gate(IConfiguration configuration, string runningKey, string waitingKey)
    {
        var running = Math.Max(1, configuration.GetValue(runningKey, Math.Max(2, Environment.ProcessorCount)));
        return (running, Math.Max(0, configuration.GetValue(waitingKey, 2 * running)));
    }
}

/// <summary>
/// The downloads' gate (<c>Database:ConcurrentExports</c>, <c>Database:QueuedExports</c>): the first come run, a few more
/// wait in arrival order, and beyond them the answer is a 503 with Retry-After.
/// </summary>
public sealed class ExportGate(int running, int waiting)
{
    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = running, QueueLimit = waiting, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>A lease to dispose when the download ends; not acquired when the gate and its queue are full.</summary>
    public ValueTask<RateLimitLease> EnterAsync(CancellationToken ct) => _limiter.AcquireAsync(1, ct);

    public IResult Busy(HttpResponse response)
    {
        response.Headers.RetryAfter = "30";
        return Results.Problem(statusCode: 503, title: "Busy",
            detail: $"{running} downloads are running and {waiting} waiting; retry in 30 seconds.");
    }
}
