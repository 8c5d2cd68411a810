using System.Text.Json.Nodes;

namespace NapGeo.Uploads;

public enum OnError { RejectAll, SkipInvalid }

/// <summary>What the caller asked: the file is on disk at <see cref="Path"/> (the service never holds a whole upload in memory).</summary>
public sealed record UploadRequest(
    string Path, string FileName, string Target, string? Campaign, string? Crs, IReadOnlyDictionary<string, string?>? Mapping,
    bool DryRun, OnError OnError, string Actor, string? Format = null);

/// <summary>One finding about one row (or the whole file when <see cref="Row"/> is null).</summary>
/// <param name="Row">Row number as a person sees it: spreadsheet row (the header is row 1) or feature number (from 1).</param>
/// <param name="Column">The column (or property) of the file the value came from.</param>
/// <param name="Field">The NapGeo field it maps to, or "geometry".</param>
/// <param name="Kind">For warnings: duplicate_id, far_from_sites, future_date, implausible_value, same_file, ignored_columns.</param>
public sealed record UploadIssue(int? Row, string? Column, string? Value, string? Field, string Reason, string? Kind = null)
{
    /// <summary>The most of a cell a report quotes: a 5 MB notes cell was echoed whole, in the answer and in uploads.report.</summary>
    public const int QuotedLength = 200;

    public string? Value { get; init; } = Cut(Value);

    private static string? Cut(string? text)
    {
        if (text is null || text.Length <= QuotedLength || AlreadyCut(text)) return text;
        // Not between the halves of a surrogate pair: half a character is not text, and jsonb refuses it.
        var end = char.IsHighSurrogate(text[QuotedLength - 1]) ? QuotedLength - 1 : QuotedLength;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{text[..end]}{CutMark}{text.Length:N0} characters)");
    }

    private const string CutMark = "… (";

    /// <summary>A stored report is read back through this record: what was cut then is not cut again (and told as ~224 characters).</summary>
    private static bool AlreadyCut(string text) =>
        text.Length < QuotedLength + 32 && text.EndsWith(" characters)", StringComparison.Ordinal) &&
        text.LastIndexOf(CutMark, StringComparison.Ordinal) is QuotedLength - 1 or QuotedLength;
}

public sealed record UploadCounts
{
    public int Rows { get; set; }
    public int Valid { get; set; }
    public int Invalid { get; set; }
    public int Inserted { get; set; }
    public int Updated { get; set; }
    /// <summary>Valid rows replaced by a later row of the file with the same key (each has a duplicate_id warning); not written.</summary>
    public int Superseded { get; set; }
    /// <summary>Valid rows equal to the stored row they match: nothing written.</summary>
    public int Unchanged { get; set; }
    public int Warnings { get; set; }
}

public sealed record UploadProgress(int Processed, int? Total);

/// <summary>The upload record and its report, as GET /api/uploads/{id} and POST answer it.</summary>
public sealed record UploadRecord
{
    public required Guid Id { get; init; }
    public required string FileName { get; init; }
    public required string Sha256 { get; init; }
    public long SizeBytes { get; init; }
    public required string KeyName { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? FinishedAt { get; set; }
    public required string Format { get; init; }
    public required string Target { get; init; }
    public string? Campaign { get; init; }
    public string? Crs { get; set; }
    public required string Mode { get; init; }
    public required string OnError { get; init; }
    /// <summary>
    /// running, committed, rejected, failed, rolled_back; a dry run answers "dry-run" and is not stored (while it runs,
    /// GET shows it as running, with its progress).
    /// </summary>
    public required string Status { get; set; }
    public UploadProgress Progress { get; set; } = new(0, null);
    public UploadCounts Counts { get; set; } = new();
    /// <summary>The file's columns, in order: what a mapping may choose from.</summary>
    public IReadOnlyList<string> Columns { get; set; } = [];
    /// <summary>Which column of the file feeds which field (or coordinate role).</summary>
    public Dictionary<string, string> Mapping { get; set; } = [];
    public List<UploadIssue> Errors { get; set; } = [];
    public List<UploadIssue> Warnings { get; set; } = [];
    /// <summary>
    /// A warning about the file as a whole (ignored columns, layers, the same file again, a failed hook): counted like the
    /// rows' warnings, which <see cref="UploadCounts.Warnings"/> alone counted, so it said 0 beside a listed one.
    /// </summary>
    public void AddFileWarning(UploadIssue warning)
    {
        Warnings.Add(warning);
        Counts.Warnings++;
    }

    /// <summary>True when more issues were found than the report keeps (NapGeo:Uploads:MaxReportedIssues).</summary>
    public bool IssuesTruncated { get; set; }
    public DateTime? RolledBackAt { get; set; }
    public string? RolledBackBy { get; set; }
    /// <summary>Dry run only: the first normalized features as they would be stored.</summary>
    public JsonObject? Preview { get; set; }
}

/// <summary>A problem with the file as a whole: the upload is refused before any row is looked at.</summary>
public sealed class UploadFileException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}

/// <summary>A rollback that would overwrite later changes; <see cref="Rows"/> names them.</summary>
public sealed class UploadConflictException(string detail, IReadOnlyList<string> rows) : Exception(detail)
{
    public IReadOnlyList<string> Rows { get; } = rows;
}
