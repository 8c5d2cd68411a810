using System.Text.Json;
using System.Threading.Channels;
using NapGeo.Layers;

namespace NapGeo.Uploads;

/// <summary>A row of the file: a draft to stage, or its errors.</summary>
/// <param name="BaseVersion">The version of the stored row the draft started from (<see cref="StoredRows"/>), else null.</param>
public sealed record RowOutcome(SourceRecord Source, FeatureDraft? Draft, List<UploadIssue>? Errors, int? BaseVersion = null);

/// <summary>
/// Turns the file's rows into drafts or row errors: each row through <see cref="RowConverter"/> and <see cref="FeatureInput"/>
/// (the REST API's rules and messages), from the defaults, or from its stored row's values when the file lacks some fields
/// (<paramref name="stored"/>). It runs on one core while the caller serializes the drafts into the COPY stream.
/// </summary>
public sealed class RowValidator(FeatureInput input, LayerDefinition layer, RowConverter converter, StoredRows? stored)
{
    public async Task RunAsync(SourceData data, ChannelWriter<RowOutcome> output, CancellationToken ct)
    {
        try
        {
            if (stored is null)
                foreach (var source in data.Records)
                {
                    ct.ThrowIfCancellationRequested();
                    var converted = converter.Convert(source);
                    using var feature = JsonDocument.Parse(converted.Feature);
                    await output.WriteAsync(await ValidateAsync(source, converted, feature.RootElement, null, ct), ct);
                }
            else
            {
                // A batch's stored rows are read in one statement, while the batch before it is validated. The converter's
                // buffer is reused, so each feature is copied.
                Batch? previous = null, current = null;
                try
                {
                    foreach (var records in data.Records.Chunk(StoredRows.BatchSize))
                    {
                        current = new Batch();
                        foreach (var source in records)
                        {
                            ct.ThrowIfCancellationRequested();
                            var converted = converter.Convert(source);
                            current.Rows.Add((source, converted, JsonDocument.Parse(converted.Feature.ToArray())));
                        }
                        if (previous is not null) await previous.Matches!; // one statement at a time on the connection
                        current.Matches = stored.LoadAsync(current.Rows.Select(r => stored.Key(r.Feature.RootElement)).ToList(), ct);
                        if (previous is not null) await WriteAsync(previous, output, ct);
                        (previous, current) = (current, null);
                    }
                    if (previous is not null) await WriteAsync(previous, output, ct);
                }
                finally
                {
                    // On an error (the writer of the batch before failed, or the client went away) the read in flight,
                    // the current batch's as well, must end before the connection is closed under it.
                    foreach (var batch in new[] { current, previous })
                    {
                        if (batch?.Matches is { IsCompleted: false } reading)
                            try { await reading; } catch (Exception) { }
                        batch?.Dispose();
                    }
                }
            }
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
            throw;
        }
    }

    /// <summary>Converted rows, each with its feature parsed, and the read of their stored rows.</summary>
    private sealed class Batch : IDisposable
    {
        public List<(SourceRecord Source, ConvertedRow Converted, JsonDocument Feature)> Rows { get; } = new(StoredRows.BatchSize);
        public Task<StoredRow?[]>? Matches { get; set; }

        public void Dispose()
        {
            foreach (var row in Rows) row.Feature.Dispose();
            Rows.Clear();
        }
    }

    private async Task WriteAsync(Batch batch, ChannelWriter<RowOutcome> output, CancellationToken ct)
    {
        var matches = await batch.Matches!;
        for (var i = 0; i < batch.Rows.Count; i++)
            await output.WriteAsync(await ValidateAsync(batch.Rows[i].Source, batch.Rows[i].Converted, batch.Rows[i].Feature.RootElement, matches[i], ct), ct);
        batch.Dispose();
    }

    /// <summary>One row through FeatureInput, from the defaults or from <paramref name="match"/>, the stored row it updates.</summary>
    private async Task<RowOutcome> ValidateAsync(SourceRecord source, ConvertedRow converted, JsonElement feature, StoredRow? match, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var start = match is null ? null : stored!.Start(match);
        if (start is not null && layer.Name == "samples") KeepLimitInNewUnit(start, match!, feature, source, converted);
        var draft = await input.ReadAsync(feature, layer, null, converted.Crs, repair: false, errors, ct, start);
        if (converted.Issues.Count == 0 && draft is not null) return new RowOutcome(source, draft, null, match?.Version);
        var reported = errors.ToDictionary();
        var issues = converted.Issues.Concat(Describe(reported, source, converted)).ToList();
        if (draft is null) issues.AddRange(Describe(LayerRules(feature, reported, start), source, converted));
        return new RowOutcome(source, null, issues);
    }

    /// <summary>
    /// FeatureInput applies the layer's rules (a negative value, more women than miners) only to a row whose every value
    /// and geometry it could read, so a row with an unknown matrix and a negative value was reported for the matrix alone,
    /// and the next upload for the value. The rules are applied here to the values that were read, as FeatureInput reads
    /// them (TryConvert over the defaults or the stored row), with the refused ones left null. Messages about the refused
    /// fields, and "is required" ones (about values left out here), are not taken: they would repeat or mislead.
    /// </summary>
    private IDictionary<string, string[]> LayerRules(JsonElement feature, IDictionary<string, string[]> reported, Dictionary<string, object?>? start)
    {
        if (layer.Validate is null || !feature.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            return new Dictionary<string, string[]>();
        var values = start is not null ? new Dictionary<string, object?>(start) : layer.Fields.ToDictionary(f => f.Name, f => f.ReadOnly ? null : f.Default);
        foreach (var property in properties.EnumerateObject())
        {
            if (layer.Find(property.Name) is not { ReadOnly: false } field) continue;
            if (reported.ContainsKey("properties." + field.Name)) values[field.Name] = null;
            else if (FeatureInput.TryConvert(field, property.Value, out var value, out _)) values[field.Name] = value ?? field.Default;
        }
        var errors = new ValidationErrors();
        layer.Validate(values, errors);
        return errors.ToDictionary()
            .Where(p => !reported.ContainsKey(p.Key))
            .Select(p => (p.Key, Messages: p.Value.Where(m => !m.StartsWith("is required", StringComparison.Ordinal)).ToArray()))
            .Where(p => p.Messages.Length > 0)
            .ToDictionary(p => p.Key, p => p.Messages);
    }

    /// <summary>
    /// A re-upload that gives a new unit but no detection limit keeps the stored limit, which is in the stored unit: taken
    /// as written, 20 µg/kg became 20 mg/kg beside values re-reported in mg/kg. It is converted into the row's new unit as
    /// a limit with a unit in its header is; one that cannot be (another basis) is a row error asking for the limit.
    /// </summary>
    private void KeepLimitInNewUnit(Dictionary<string, object?> start, StoredRow match, JsonElement feature, SourceRecord source, ConvertedRow converted)
    {
        if (start["detection_limit"] is not double limit || match.Values["unit"] is not string storedUnit) return;
        if (!feature.TryGetProperty("properties", out var properties) || properties.TryGetProperty("detection_limit", out _)) return;
        if (!properties.TryGetProperty("unit", out var unitJson) || unitJson.ValueKind != JsonValueKind.String || unitJson.GetString() is not { } unit) return;
        var matrix = properties.TryGetProperty("matrix", out var matrixJson) ? matrixJson.ValueKind == JsonValueKind.String ? matrixJson.GetString() : null
            : match.Values["matrix"] as string;
        // An unknown matrix or a unit that does not fit it is FeatureInput's error to report, not the limit's.
        if (matrix is null || !Samples.Units.Matrices.Contains(matrix) || Samples.Units.Normalize(matrix, unit, out _) is null) return;
        if (LimitUnits.Convert(matrix, storedUnit, unit, limit, out var reason) is { } inNewUnit)
        {
            start["detection_limit"] = inNewUnit;
            return;
        }
        var (column, value) = converter.Source("unit", source) is { Column: not null } unitSource ? unitSource : converter.Source("value", source);
        converted.Issues.Add(new(source.Row, column, value, "detection_limit",
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"the stored detection limit {limit} {storedUnit} is kept (the file has no detection limit), but cannot be converted to the row's unit {unit}: {reason} Give the detection limit in the file.")));
    }

    /// <summary>FeatureInput's messages (keyed "properties.unit", "geometry", "crs") pointed back at the file's cells.</summary>
    private IEnumerable<UploadIssue> Describe(IDictionary<string, string[]> errors, SourceRecord source, ConvertedRow converted)
    {
        foreach (var (path, messages) in errors)
        {
            if (converted.CoordinatesReported && path == "geometry") continue;
            var field = path.StartsWith("properties.", StringComparison.Ordinal) ? path["properties.".Length..] : path;
            if (converted.Omitted.Contains(field)) continue;
            var (column, value) = field is "geometry" or "crs" ? converter.GeometrySource(source) : converter.Source(field, source);
            var hint = column is null && field is not ("geometry" or "crs") ? converter.UnreadColumnsHint(field) : null;
            foreach (var message in messages)
                yield return new UploadIssue(source.Row, column, value, field is "crs" ? "geometry" : field,
                    hint is not null && message == "is required." ? $"{message} {hint}" : message);
        }
    }
}
