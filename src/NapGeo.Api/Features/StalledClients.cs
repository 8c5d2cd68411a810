using System.IO.Pipelines;

namespace NapGeo.Features;

/// <summary>
/// How long a response may wait for its client to take more bytes (<c>Http:StalledClientSeconds</c>, default 60).
/// Kestrel's minimum response rate does not end such a response: it allows each write its size divided by the rate,
/// and a flush of a few hundred features is minutes at 240 bytes/s. Meanwhile the response holds a download or read
/// permit, a database connection and its query, so two clients that stopped reading held every download.
/// </summary>
public sealed record StalledClients(TimeSpan Limit)
{
    public static StalledClients From(IConfiguration configuration) =>
        new(TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Http:StalledClientSeconds", 60))));
}

/// <summary>Thrown by <see cref="StallGuardPipe"/> when a flush made no progress within the limit.</summary>
public sealed class ClientStalledException(TimeSpan limit)
    : Exception($"The client took no data for {limit.TotalSeconds:0} s; the response was abandoned.");

/// <summary>
/// The response's pipe, whose flushes give up after <see cref="StalledClients.Limit"/>. A client that reads slowly
/// but steadily is never cut: a flush completes as soon as the socket takes the bytes.
/// </summary>
public sealed class StallGuardPipe(PipeWriter inner, TimeSpan limit) : PipeWriter
{
    public override void Advance(int bytes) => inner.Advance(bytes);
    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    public override void CancelPendingFlush() => inner.CancelPendingFlush();
    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        var flush = inner.FlushAsync(cancellationToken);
        // Most flushes complete at once (the socket had room): no timer for them.
        return flush.IsCompleted ? flush : Guarded(flush, cancellationToken);
    }

    private async ValueTask<FlushResult> Guarded(ValueTask<FlushResult> flush, CancellationToken ct)
    {
        try
        {
            return await flush.AsTask().WaitAsync(limit, ct);
        }
        catch (TimeoutException)
        {
            inner.CancelPendingFlush();
            throw new ClientStalledException(limit);
        }
    }
}
