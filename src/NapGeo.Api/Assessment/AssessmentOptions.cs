namespace NapGeo.Assessment;

/// <summary>Settings under <c>NapGeo:Assessment</c>.</summary>
public sealed class AssessmentOptions
{
    public const string Section = "NapGeo:Assessment";

    /// <summary>A sample is "high" from this many times its guideline.</summary>
    public double HighMultiplier { get; set; } = 5;
    /// <summary>A sample is "critical" from this many times its guideline.</summary>
    public double CriticalMultiplier { get; set; } = 20;
    /// <summary>
    /// Re-derive hotspots (with the default parameters) after every bulk change of exceedances: a committed samples upload,
    /// its roll-back, a guideline set replaced or removed (see <see cref="HotspotRefresh"/>).
    /// </summary>
    public bool DeriveAfterChanges { get; set; } = true;
}
