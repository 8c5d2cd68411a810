using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace NapGeo.Database;

/// <summary>
/// Admission control for the short, CPU-bound reads that viewers and dashboards fire in bursts (feature pages, cold
/// tiles). Letting 32 requests run 32 queries at once on a small machine makes every one of them slow: backends,
/// the API and the clients fight for the same cores and the tail grows. At most <c>Database:ConcurrentReads</c>
/// (default 2 per core) run; the others wait their turn in arrival order, so latency stays even.
/// Exports have a gate of their own (<see cref="ExportPolicy"/>): each holds a connection for as long as its client takes
/// to download, so a few dozen slow downloads held the whole pool and every other request, readiness included, failed.
/// </summary>
public static class DatabaseReads
{
    public const string Policy = "database-reads";
    public const string ExportPolicy = "database-exports";
    private const int QueueLimit = 10_000;

    public static IServiceCollection AddDatabaseReadGate(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetValue("Database:ConcurrentReads", 2 * Environment.ProcessorCount);
        var exports = Math.Max(1, configuration.GetValue("Database:ConcurrentExports", Math.Max(2, Environment.ProcessorCount)));
        var queuedExports = Math.Max(0, configuration.GetValue("Database:QueuedExports", 2 * exports));
        services.AddRateLimiter(o =>
        {
            o.AddConcurrencyLimiter(Policy, c =>
            {
                c.PermitLimit = Math.Max(1, permits);
                c.QueueLimit = QueueLimit;
                c.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            o.AddConcurrencyLimiter(ExportPolicy, c =>
            {
                c.PermitLimit = exports;
                c.QueueLimit = queuedExports;
                c.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            o.OnRejected = async (context, ct) =>
            {
                var export = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == ExportPolicy;
                context.HttpContext.Response.Headers.RetryAfter = export ? "30" : "1";
                await Results.Problem(statusCode: 503, title: "Busy",
                    detail: export
                        ? $"{exports.ToString(CultureInfo.InvariantCulture)} downloads are running and {queuedExports.ToString(CultureInfo.InvariantCulture)} waiting; retry in 30 seconds."
                        : $"More than {QueueLimit.ToString(CultureInfo.InvariantCulture)} reads are waiting; retry in a second.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }
}
