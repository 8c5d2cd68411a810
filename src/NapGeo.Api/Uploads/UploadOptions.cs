namespace NapGeo.Uploads;

/// <summary>Limits of the upload service, from configuration section <c>NapGeo:Uploads</c>.</summary>
public sealed class UploadOptions
{
    public const string Section = "NapGeo:Uploads";

    /// <summary>Largest file accepted (413 above it). Also the request body limit of /api/uploads.</summary>
    public long MaxBytes { get; set; } = 200L * 1024 * 1024;
    /// <summary>Most rows or features in one file.</summary>
    public int MaxRows { get; set; } = 2_000_000;
    /// <summary>Most entries in a zip (zipped Shapefile, KMZ, XLSX).</summary>
    public int MaxZipEntries { get; set; } = 200;
    /// <summary>Most bytes a zip may expand to, all entries together (zip bombs).</summary>
    public long MaxExpandedBytes { get; set; } = 1024L * 1024 * 1024;
    /// <summary>Largest expansion ratio of one entry; real data compresses 3–20×, bombs 1000× and more.</summary>
    public int MaxCompressionRatio { get; set; } = 200;
    /// <summary>Row issues (errors plus warnings) kept in a report; the counts stay exact beyond it.</summary>
    public int MaxReportedIssues { get; set; } = 1000;
    /// <summary>Features in a dry run's preview.</summary>
    public int PreviewFeatures { get; set; } = 10;
    /// <summary>How long ogr2ogr may take to convert one layer.</summary>
    public int GdalTimeoutSeconds { get; set; } = 600;
}
