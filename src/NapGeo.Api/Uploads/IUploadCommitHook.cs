namespace NapGeo.Uploads;

/// <summary>
/// Work that follows a committed upload or roll-back of one (e.g. re-deriving hotspots from the samples). Every registered
/// hook runs after the transaction has committed; a hook's failure is reported, it does not undo the change.
/// </summary>
public interface IUploadCommitHook
{
    Task OnCommittedAsync(Guid uploadId, string target, CancellationToken ct);
}
