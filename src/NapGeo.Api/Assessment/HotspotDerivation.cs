using NapGeo.Database;
using NapGeo.Uploads;
using Microsoft.Extensions.Options;
using Npgsql;

namespace NapGeo.Assessment;

/// <summary>
/// DBSCAN parameters. Defaults (a judgement of this project, not values taken from a standard): eps 500 m, 3 points,
/// margin 100 m. Rapid assessments (UNEP 2019, Guidance for Conducting a Rapid Environmental Mercury Assessment of
/// ASGM Sites; UNIDO 2004, Veiga and Baker, Protocols for Environmental and Health Assessment of Mercury Released by
/// ASGM) sample around individual processing, amalgam-burning and tailings places; soil and air contamination
/// from such a place is local, so exceeding samples within a few hundred metres are read as one source area while
/// neighbouring camps, usually kilometres apart, stay separate. Three samples is the smallest cluster whose median
/// means something, so one anomalous result never makes a hotspot. The margin stands for the ground each outer
/// sample represents. Any of them can be set per call.
/// </summary>
public sealed record DeriveParameters(double EpsM = DeriveParameters.DefaultEps, int MinPoints = DeriveParameters.DefaultMinPoints, double MarginM = DeriveParameters.DefaultMargin)
{
    public const double DefaultEps = 500;
    public const int DefaultMinPoints = 3;
    public const double DefaultMargin = 100;
}

public sealed record DerivedHotspot(
    Guid Id, string Name, string MediumGroup, string Severity, string Kind, int SampleCount, string Matrices,
    double MaxRatio, double MedianRatio, DateOnly? FirstObserved, DateOnly? LastObserved, Guid? SiteId);

public sealed record DeriveResult(DeriveParameters Parameters, int Removed, IReadOnlyList<DerivedHotspot> Hotspots);

/// <summary>
/// Makes the derived hotspots the clusters of the current exceeding samples, in one transaction, writing only the hotspots
/// that are new, changed or gone (store_derived_hotspots.sql), so that the audit log records real changes only.
/// </summary>
public sealed class HotspotDerivation(NpgsqlDataSource db)
{
    public async Task<DeriveResult> DeriveAsync(DeriveParameters parameters, string actor, CancellationToken ct)
    {
        await using var tx = await WriteTransaction.BeginAsync(db, actor, ct);
        var result = await DeriveAsync(tx, parameters, ct);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>Within the caller's transaction, so that the change that calls for it and the new hotspots commit together.</summary>
    public static async Task<DeriveResult> DeriveAsync(WriteTransaction tx, DeriveParameters parameters, CancellationToken ct)
    {
        // One derivation at a time: two concurrent ones would each insert the same new ids.
        await using (var lockCmd = tx.Command("SELECT pg_advisory_xact_lock(hashtext('napgeo.derive'))")) await lockCmd.ExecuteNonQueryAsync(ct);
        var sql = SqlResource.Load("Assessment.Sql.store_derived_hotspots.sql")
            .Replace("{derive}", SqlResource.Load("Assessment.Sql.derive_hotspots.sql"));
        await using var cmd = tx.Command(sql);
        // Clustering every exceeding sample takes seconds per hundred thousand and more under load: the default
        // 30 s would fail a large baseline's derivation, and with it the guideline change that asked for it.
        cmd.CommandTimeout = 0;
        cmd.Parameters.Add(new() { Value = parameters.EpsM });
        cmd.Parameters.Add(new() { Value = parameters.MinPoints });
        cmd.Parameters.Add(new() { Value = parameters.MarginM });
        cmd.Parameters.Add(new()
        {
            Value = $"Derived from exceeding samples by POST /api/hotspots/derive (DBSCAN eps {parameters.EpsM:0.###} m, " +
                    $"min {parameters.MinPoints} points, margin {parameters.MarginM:0.###} m); replaced on the next derivation.",
        });
        var hotspots = new List<DerivedHotspot>();
        var removed = 0;
        await using (var row = await cmd.ExecuteReaderAsync(ct))
            while (await row.ReadAsync(ct))
            {
                removed = row.GetInt32(12);
                if (row.IsDBNull(0)) continue; // nothing derived: the row only answers how many were deleted
                hotspots.Add(new DerivedHotspot(row.GetGuid(0), row.GetString(1), row.GetString(2), row.GetString(3), row.GetString(4),
                    row.GetInt32(5), row.GetString(6), row.GetDouble(7), row.GetDouble(8),
                    row.IsDBNull(9) ? null : row.GetFieldValue<DateOnly>(9), row.IsDBNull(10) ? null : row.GetFieldValue<DateOnly>(10),
                    row.IsDBNull(11) ? null : row.GetGuid(11)));
            }
        return new DeriveResult(parameters, removed, hotspots);
    }
}

/// <summary>
/// Keeps derived hotspots in step with bulk changes of the samples' exceedances: a committed samples or sites upload, its
/// roll-back, a guideline set replaced or removed and new class multipliers each re-derive them with the default parameters, unless
/// NapGeo:Assessment:DeriveAfterChanges is false. Single edits through the REST API do not: POST /api/hotspots/derive does.
/// </summary>
public sealed class HotspotRefresh(HotspotDerivation derivation, IOptions<AssessmentOptions> options, ILogger<HotspotRefresh> log) : IUploadCommitHook
{
    /// <summary>Re-derives (when enabled) on behalf of <paramref name="actor"/>, named in the audit log; true when it did.</summary>
    /// <remarks>
    /// The change that calls for it has committed by now, so the derivation is not the request's to cancel: a client
    /// that hangs up must not leave the derived hotspots behind the data. It takes no cancellation token.
    /// </remarks>
    public async Task<bool> RefreshAsync(string actor, string cause)
    {
        if (!options.Value.DeriveAfterChanges) return false;
        Log(cause, await derivation.DeriveAsync(new DeriveParameters(), actor, CancellationToken.None));
        return true;
    }

    /// <summary>
    /// Re-derives (when enabled) within <paramref name="tx"/>, the transaction of the change itself: if the derivation
    /// fails, the change is not committed either, so no committed change is left with hotspots that do not reflect it.
    /// </summary>
    public async Task<bool> RefreshAsync(WriteTransaction tx, string cause, CancellationToken ct)
    {
        if (!options.Value.DeriveAfterChanges) return false;
        Log(cause, await HotspotDerivation.DeriveAsync(tx, new DeriveParameters(), ct));
        return true;
    }

    private void Log(string cause, DeriveResult result) =>
        log.LogInformation("{Cause}: derived {Count} hotspots (removed {Removed})", cause, result.Hotspots.Count, result.Removed);

    /// <summary>
    /// An upload, or its roll-back, committed. Samples move the clusters; sites do too, through their samples: a site's
    /// country chooses the guideline set its samples are assessed by, and its outline which samples it holds.
    /// </summary>
    public async Task OnCommittedAsync(Guid uploadId, string target, CancellationToken ct)
    {
        if (target is "samples" or "sites") await RefreshAsync($"upload:{uploadId}", $"Upload {uploadId}");
    }
}
