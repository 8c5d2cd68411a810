using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace NapGeo.Database;

/// <summary>
/// Admission control for the short, CPU-bound reads that viewers and dashboards fire in bursts (feature pages, cold
/// tiles). Letting 32 requests run 32 queries at once on a small machine makes every one of them slow: backends,
/// the API and the clients fight for the same cores and the tail grows. At most <c>Database:ConcurrentReads</c>
/// (default 2 per core) run; the others wait their turn in arrival order, so latency stays even. Long work (exports,
/// uploads) is not gated.
/// </summary>
public static class DatabaseReads
{
    public const string Policy = "database-reads";
    private const int QueueLimit = 10_000;

    public static IServiceCollection AddDatabaseReadGate(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetValue("Database:ConcurrentReads", 2 * Environment.ProcessorCount);
        services.AddRateLimiter(o =>
        {
            o.AddConcurrencyLimiter(Policy, c =>
            {
                c.PermitLimit = Math.Max(1, permits);
                c.QueueLimit = QueueLimit;
                c.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            o.OnRejected = async (context, ct) =>
            {
                var response = context.HttpContext.Response;
                response.Headers.RetryAfter = "1";
                await Results.Problem(statusCode: 503, title: "Busy",
                    detail: $"More than {QueueLimit.ToString(CultureInfo.InvariantCulture)} reads are waiting; retry in a second.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }
}
