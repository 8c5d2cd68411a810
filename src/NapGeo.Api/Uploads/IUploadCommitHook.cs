namespace NapGeo.Uploads;

/// <summary>
/// Work that follows a committed upload (e.g. re-deriving hotspots from new samples). Every registered hook
/// runs after the upload's transaction has committed; a hook's failure is reported, it does not undo the upload.
/// </summary>
public interface IUploadCommitHook
{
    Task OnCommittedAsync(Guid uploadId, string target, CancellationToken ct);
}
