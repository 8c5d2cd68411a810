using System.IO.Pipelines;

namespace NapGeo.Features;

/// <summary>
/// How long a response may wait for its client to take the next flushed batch (<c>Http:StalledClientSeconds</c>,
/// default 300). Kestrel's minimum response rate does not end such a response: it allows each write its size divided
/// by the rate, and a batch of site outlines is minutes at 240 bytes/s. Meanwhile the response holds a download or read
/// permit, a database connection and its query, so two clients that stopped reading held every download.
/// The limit is minutes, not seconds, because a client that reads steadily still lets whole seconds pass between
/// completed flushes: TCP reopens a full receive window in steps of up to megabytes. A test client reading 400 kB/s
/// left the server's flush waiting over 2 s while it read 860 kB. At the default, a client taking about 20 kB/s or
/// more is not cut.
/// </summary>
public sealed record StalledClients(TimeSpan Limit)
{
    public static StalledClients From(IConfiguration configuration) =>
        new(TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Http:StalledClientSeconds", 300))));
}

/// <summary>Thrown by <see cref="StallGuardPipe"/> when a flush made no progress within the limit.</summary>
public sealed class ClientStalledException(TimeSpan limit)
    : Exception($"The client took no data for {limit.TotalSeconds:0} s; the response was abandoned.");

/// <summary>
/// The response's pipe, whose flushes give up after <see cref="StalledClients.Limit"/>. It counts the bytes written
/// since the last flush, so that <see cref="FeatureWriter"/> can flush by size.
/// </summary>
public sealed class StallGuardPipe(PipeWriter inner, TimeSpan limit) : PipeWriter
{
    private long _unflushed;

    public override void Advance(int bytes)
    {
        inner.Advance(bytes);
        _unflushed += bytes;
    }

    /// <summary>Bytes written since the last flush: the writers flush by size too, so each flush waits for a bounded amount.</summary>
    public override bool CanGetUnflushedBytes => true;
    public override long UnflushedBytes => _unflushed;

    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    public override void CancelPendingFlush() => inner.CancelPendingFlush();
    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        _unflushed = 0;
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
