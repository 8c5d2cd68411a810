using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using NapGeo.Database;
using NapGeo.Layers;
using Npgsql;

namespace NapGeo.Uploads;

/// <summary>
/// Runs an upload: read the file, map its columns, validate every row with <see cref="FeatureInput"/> (the REST API's
/// rules and messages), stream the valid rows by binary COPY into a staging table and merge them in one statement, all in
/// one transaction. A dry run does the same and rolls back, so its report (including database checks) is what a commit
/// would do; it stores nothing, not even the upload record. A commit stores the record (from before the file is read) with
/// its report, also when rejected or when the file turns out unreadable.
/// </summary>
public sealed class UploadService(
    NpgsqlDataSource db, FeatureInput input, UploadStore store, IOptions<UploadOptions> options,
    Geometry.CrsTransforms transforms, IServiceProvider services, ILogger<UploadService> log)
{
    private UploadOptions Limits => options.Value;

    // Dry runs are not stored, yet a large one takes as long as a commit: while one runs under a client's id, it is held
    // here, so that GET /api/uploads/{id} can show its progress as it does a commit's.
    private readonly ConcurrentDictionary<Guid, UploadRecord> _dryRuns = new();

    /// <summary>A running dry run's id, file and progress (its report is the POST's answer), or null.</summary>
    public UploadRecord? RunningDryRun(Guid id) => _dryRuns.TryGetValue(id, out var running)
        ? running with { Status = "running", Progress = running.Progress, Counts = new(), Columns = [], Mapping = [], Errors = [], Warnings = [], Preview = null }
        : null;

    public async Task<UploadRecord> RunAsync(UploadRequest request, Guid? id, Action<UploadProgress>? progress, CancellationToken ct)
    {
        var layer = LayerCatalog.Find(request.Target)
            ?? throw new UploadFileException(400, "Unknown target", $"target '{request.Target}' is not one of: samples, sites, hotspots.");
        if (request.Crs is not null && !Geometry.CrsName.TryParseSrid(request.Crs, out _))
            throw new UploadFileException(400, "Unknown CRS", $"crs '{request.Crs}' is not a CRS this server reads; use EPSG:<code>, e.g. EPSG:32630.");
        // A well-formed code the server has no transform for (EPSG:99999) was found out row by row, the same error on each.
        if (request.Crs is not null && Geometry.CrsName.TryParseSrid(request.Crs, out var srid) && await transforms.ToWgs84Async(srid, ct) is null)
            throw new UploadFileException(400, "Unknown CRS",
                $"crs '{request.Crs}' is not known to this server, or its projection is not supported; use an EPSG code such as EPSG:32630 (UTM 30N), or leave crs out for longitude/latitude.");
        var size = new FileInfo(request.Path).Length;
        if (size > Limits.MaxBytes)
            throw new UploadFileException(413, "File too large", $"The file has {size} bytes; at most {Limits.MaxBytes} are accepted (NapGeo:Uploads:MaxBytes).");
        var format = request.Format ?? FileGuards.DetectFormat(request.Path, request.FileName);
        if (!FileGuards.Formats.Contains(format))
            throw new UploadFileException(400, "Unknown format", $"format '{format}' is not one of: {string.Join(", ", FileGuards.Formats)}.");

        // A client-chosen id names one upload: a second file under it is a client error, said before any work is done.
        if (id is { } chosen && await store.GetAsync(chosen, ct) is not null)
            throw new UploadFileException(409, "Upload id in use", $"An upload with id {chosen} exists already; send a new id, or GET /api/uploads/{chosen} for that upload's outcome.");
        var record = new UploadRecord
        {
            Id = id ?? Guid.NewGuid(),
            FileName = Path.GetFileName(request.FileName),
            Sha256 = await Sha256Async(request.Path, ct),
            SizeBytes = size,
            KeyName = request.Actor,
            CreatedAt = DateTime.UtcNow,
            Format = format,
            Target = layer.Name,
            Campaign = request.Campaign,
            Crs = request.Crs,
            Mode = request.DryRun ? "dry-run" : "commit",
            OnError = request.OnError == OnError.SkipInvalid ? "skip-invalid" : "reject-all",
            Status = request.DryRun ? "dry-run" : "running",
        };
        var work = Directory.CreateTempSubdirectory("napgeo-upload-");
        if (request.DryRun && id is { } dryRunId) _dryRuns[dryRunId] = record;
        try
        {
            await using var tx = await WriteTransaction.BeginAsync(db, request.Actor, ct);
            if (!request.DryRun)
            {
                // The record exists from here on, before the file is read (converting a large shapefile or GeoPackage takes
                // a while), so a client polling GET /api/uploads/{id} sees it running instead of a 404. The transaction holds
                // the upload's lock before the record exists: a record whose lock is free belongs to a process that died, and
                // readers mark it failed (UploadStore.MarkAbandonedAsync).
                await store.HoldRunningLockAsync(tx, record.Id, ct);
                await store.InsertAsync(record, ct);
            }
            try
            {
                using var data = SourceReaders.Open(format, request.Path, work.FullName, request.Crs, Limits);
                var map = ColumnMapping.Detect(layer, data.Columns, data.HasGeometry, request.Mapping, request.Crs is not null);
                record.Crs ??= data.Crs;
                record.Progress = new UploadProgress(0, data.Total);
                record.Columns = data.Columns;
                record.Mapping = map.Describe(data.Columns);
                if (data.LayerRows is { } parts)
                    record.AddFileWarning(new(null, null, null, null,
                        $"the file has several layers, read one after another and numbered on: {parts}.", "layers"));
                if (map.Ignored.Count > 0)
                    record.AddFileWarning(new(null, string.Join(", ", map.Ignored), null, null,
                        "these columns were not read: they match no field, or the mapping left their field unread; send mapping= to use them.", "ignored_columns"));
                if (await store.FindSameFileAsync(record.Sha256, layer.Name, ct) is { } same)
                    record.AddFileWarning(new(null, null, null, null,
                        $"this file (SHA-256 {record.Sha256[..12]}…) was already uploaded on {FeatureJson.Timestamp(same.At)} by {same.Actor} " +
                        $"as upload {same.Id}; {SameFileOutcome(layer, map, request.Campaign, same)}", "same_file"));
                if (!request.DryRun) await store.DescribeAsync(record, ct);
                await ProcessAsync(tx, request, layer, data, map, record, progress, ct);
            }
            catch (Exception e) when (!request.DryRun)
            {
                // The transaction is gone, so nothing was stored; the record says so instead of staying "running".
                record.Status = "failed";
                record.FinishedAt = DateTime.UtcNow;
                record.Errors.Add(new(null, null, null, null, e switch
                {
                    UploadFileException => e.Message,
                    OperationCanceledException => "the upload was cancelled (the server stopped, or the command was interrupted); nothing was stored.",
                    _ => "the upload failed on the server; nothing was stored.",
                }));
                await store.FinishAsync(record, null, CancellationToken.None);
                throw;
            }
            if (record.Status == "committed") await RunHooksAsync(record, ct);
            return record;
        }
        finally
        {
            _dryRuns.TryRemove(record.Id, out _);
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private async Task ProcessAsync(
        WriteTransaction tx, UploadRequest request, LayerDefinition layer, SourceData data, ColumnMap map, UploadRecord record,
        Action<UploadProgress>? progress, CancellationToken ct)
    {
        var sql = new UploadSql(layer);
        // GDAL output is in EPSG:4326 already; a GeoJSON's legacy crs member and a table's coordinates follow crs= when given.
        var coordinatesCrs = data.Reprojected ? data.Crs : request.Crs ?? data.Crs;
        var projected = Geometry.CrsName.TryParseSrid(coordinatesCrs, out var srid) && await transforms.IsProjectedAsync(srid, ct);
        var converter = new RowConverter(layer, map, data.Columns, request.Campaign, coordinatesCrs, projected);
        var checks = new RowChecks(layer);
        // Set when the file lacks some fields: its rows that match stored ones keep those fields' stored values.
        await using var stored = StoredRows.For(layer, sql, map, request.Campaign, db);
        var counts = record.Counts;
        var issues = 0;
        void Report(UploadIssue issue, List<UploadIssue> list)
        {
            if (++issues <= Limits.MaxReportedIssues) list.Add(issue);
            else record.IssuesTruncated = true;
        }
        void Warn(UploadIssue warning)
        {
            counts.Warnings++;
            Report(warning, record.Warnings);
        }

        await using (var create = tx.Command(sql.CreateStaging)) await create.ExecuteNonQueryAsync(ct);

        var clock = Stopwatch.StartNew();
        var phase = Stopwatch.StartNew();
        await using (var copy = await tx.Connection.BeginBinaryImportAsync(sql.Copy, ct))
        {
            // Reading and validating (here, one core) overlaps with serializing rows into the COPY stream (the caller's thread).
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var channel = Channel.CreateBounded<RowOutcome>(new BoundedChannelOptions(4096) { SingleReader = true, SingleWriter = true });
            var validator = new RowValidator(input, layer, converter, stored);
            var producer = Task.Run(() => validator.RunAsync(data, channel.Writer, stop.Token), stop.Token);
            try
            {
                await foreach (var (source, draft, rowErrors, baseVersion) in channel.Reader.ReadAllAsync(ct))
                {
                    counts.Rows++;
                    if (draft is null)
                    {
                        counts.Invalid++;
                        foreach (var issue in rowErrors!) Report(issue, record.Errors);
                    }
                    else
                    {
                        counts.Valid++;
                        foreach (var warning in checks.Check(source.Row, draft, converter, source)) Warn(warning);
                        // Synchronous writes: they only fill Npgsql's buffer, and the async ones cost more than the row itself.
                        copy.StartRow();
                        copy.Write(source.Row, NpgsqlTypes.NpgsqlDbType.Integer);
                        if (baseVersion is { } version) copy.Write(version, NpgsqlTypes.NpgsqlDbType.Integer);
                        else copy.WriteNull();
                        copy.Write(Guid.NewGuid(), NpgsqlTypes.NpgsqlDbType.Uuid);
                        copy.Write(draft.Geometry, NpgsqlTypes.NpgsqlDbType.Geometry);
                        foreach (var field in sql.Stored)
                            if (draft.Values[field.Name] is { } value) copy.Write(value, LayerSql.DbType(field.Kind));
                            else copy.WriteNull();
                    }
                    if (clock.ElapsedMilliseconds >= 500)
                    {
                        clock.Restart();
                        record.Progress = new UploadProgress(counts.Rows, data.Total);
                        progress?.Invoke(record.Progress);
                        if (!request.DryRun) await store.ProgressAsync(record.Id, counts.Rows, ct);
                    }
                }
                await producer;
            }
            finally
            {
                await stop.CancelAsync();
                try { await producer; } catch (Exception) when (ct.IsCancellationRequested || stop.IsCancellationRequested) { }
            }
            await copy.CompleteAsync(ct);
        }
        await using (var compose = tx.Command(sql.ComposeStaged)) await compose.ExecuteNonQueryAsync(ct);
        record.Progress = new UploadProgress(counts.Rows, data.Total);
        progress?.Invoke(record.Progress);
        // The merge that follows can take a while on a large file: readers should see every row read, not the last 500 ms tick.
        if (!request.DryRun) await store.ProgressAsync(record.Id, counts.Rows, ct);
        var readMs = phase.ElapsedMilliseconds;
        phase.Restart();
        await DanglingReferencesAsync(tx, sql, record, Report, ct);

        // Reject-all with an invalid row, or no valid row at all, rejects the file before the merge, and a dry run says so
        // as the commit would: it said "inserted: 2" of a file its commit refused, and nothing of a GPX with tracks only.
        if (counts.Rows == 0)
            record.Errors.Add(new(null, null, null, null,
                data.HasGeometry ? "The file has no features (a GPX with tracks only? samples are waypoints)." : "The file has a header but no data rows."));
        if (counts.Invalid > 0 && request.OnError == OnError.RejectAll || counts.Valid == 0)
        {
            await tx.Transaction.RollbackAsync(ct);
            if (request.DryRun)
            {
                if (counts.Rows > 0) record.Errors.Insert(0, new(null, null, null, null, WouldReject(counts)));
                return;
            }
            record.Status = "rejected";
            record.FinishedAt = DateTime.UtcNow;
            await store.FinishAsync(record, null, ct);
            return;
        }

        await using (var merge = tx.Command(sql.Merge))
        {
            merge.Parameters.Add(new() { Value = record.Id });
            merge.CommandTimeout = 0;
            // A key twice in the file: only its last row is merged (README: duplicate_id, the later row wins).
            counts.Superseded = counts.Valid - (int)(await merge.ExecuteScalarAsync(ct))!;
        }
        log.LogInformation("Upload {Id} ({Target}): {Rows} rows read, validated and staged in {Read} ms, merged in {Merge} ms",
            record.Id, layer.Name, counts.Rows, readMs, phase.ElapsedMilliseconds);
        if (stored is not null) await stored.RefuseMovedAsync(tx, record.Id, ct);
        await CountChangesAsync(tx, record, ct);
        if (layer.Name == "samples") await FarFromSitesAsync(tx, sql, record, Warn, ct);

        if (request.DryRun)
        {
            record.Preview = await PreviewAsync(tx, layer, sql, ct);
            await tx.Transaction.RollbackAsync(ct);
            return;
        }
        record.Status = "committed";
        record.FinishedAt = DateTime.UtcNow;
        await store.FinishAsync(record, tx, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Rows whose reference (a hotspot's site_id) names no stored row are row errors like any other, found before anything
    /// is written: skip-invalid loads the other rows, reject-all lists them. (The merge would otherwise fail as a whole.)
    /// </summary>
    private static async Task DanglingReferencesAsync(WriteTransaction tx, UploadSql sql, UploadRecord record, Action<UploadIssue, List<UploadIssue>> report, CancellationToken ct)
    {
        var found = false;
        foreach (var (field, check) in sql.References)
        {
            var column = record.Mapping.GetValueOrDefault(field.Name);
            var noun = LayerCatalog.Find(field.References!)!.Noun;
            await using var cmd = tx.Command(check);
            await using var row = await cmd.ExecuteReaderAsync(ct);
            while (await row.ReadAsync(ct))
            {
                found = true;
                record.Counts.Valid--;
                record.Counts.Invalid++;
                report(new(row.GetInt32(0), column, row.GetString(1), field.Name, $"does not refer to an existing {noun}."), record.Errors);
            }
        }
        if (found) record.Errors = [.. record.Errors.OrderBy(e => e.Row)];
    }

    /// <summary>A dry run's answer for a file its commit would reject (the commit's status says it: "rejected").</summary>
    private static string WouldReject(UploadCounts counts) => counts.Valid == 0
        ? $"A commit would reject this file: none of its {counts.Rows} rows is valid, so nothing would be stored."
        : $"A commit would reject this file (on_error=reject-all) for its {counts.Invalid} invalid row{(counts.Invalid == 1 ? "" : "s")}, " +
          $"so nothing would be stored: correct {(counts.Invalid == 1 ? "it" : "them")}, or send on_error=skip-invalid to load the {counts.Valid} valid row{(counts.Valid == 1 ? "" : "s")}.";

    /// <summary>What uploading a file again does, which depends on how the layer's rows are keyed (UploadSql.Key).</summary>
    private static string SameFileOutcome(LayerDefinition layer, ColumnMap map, string? campaign, (Guid Id, DateTime At, string Actor, string? Campaign) same) =>
        layer.Name switch
        {
            "sites" => "its rows are matched on site_code: the sites stored already are updated, not duplicated.",
            // A file without a campaign column takes its campaign from the request: under another one its rows are new samples.
            "samples" when !map.Fields.ContainsKey("campaign") && campaign != same.Campaign =>
                $"its rows are matched on campaign and external_id, but that upload was given campaign '{same.Campaign}' and this one " +
                $"'{campaign}', so its rows are new samples of '{campaign}', not updates of that upload's.",
            "samples" => "its rows are matched on campaign and external_id: the samples stored already are updated, not duplicated.",
            _ => $"{layer.Noun}s have no key to match rows on, so its rows become new {layer.Noun}s beside that upload's " +
                 $"(DELETE /api/uploads/{same.Id} rolls that upload back).",
        };

    private static async Task CountChangesAsync(WriteTransaction tx, UploadRecord record, CancellationToken ct)
    {
        await using var cmd = tx.Command("SELECT action, count(*)::integer FROM upload_changes WHERE upload_id = $1 GROUP BY action");
        cmd.Parameters.Add(new() { Value = record.Id });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        while (await row.ReadAsync(ct))
            if (row.GetString(0) == "insert") record.Counts.Inserted = row.GetInt32(1);
            else record.Counts.Updated = row.GetInt32(1);
        record.Counts.Unchanged = record.Counts.Valid - record.Counts.Inserted - record.Counts.Updated - record.Counts.Superseded;
    }

    /// <summary>After the merge the samples trigger has linked each sample to its site (containing, else within 5 km): no site means far from all.</summary>
    private static async Task FarFromSitesAsync(WriteTransaction tx, UploadSql sql, UploadRecord record, Action<UploadIssue> warn, CancellationToken ct)
    {
        await using var cmd = tx.Command($"""
            SELECT u.row_no, u.external_id FROM ({sql.MatchStored}) m JOIN upload_rows u ON u.row_no = m.row_no JOIN samples s ON s.id = m.id
            WHERE s.site_id IS NULL AND EXISTS (SELECT 1 FROM sites) ORDER BY u.row_no
            """);
        await using var row = await cmd.ExecuteReaderAsync(ct);
        var column = record.Mapping.GetValueOrDefault("external_id");
        while (await row.ReadAsync(ct))
            warn(new(row.GetInt32(0), column, row.GetString(1), "geometry", "the sample is more than 5 km from every site (wrong coordinates or CRS?).", "far_from_sites"));
    }

    private async Task<JsonObject> PreviewAsync(WriteTransaction tx, LayerDefinition layer, UploadSql sql, CancellationToken ct)
    {
        var select = new LayerStore(db).Sql(layer).Select;
        await using var cmd = tx.Command($"{select} WHERE id IN (SELECT m.id FROM ({sql.MatchStored}) m ORDER BY m.row_no LIMIT {Limits.PreviewFeatures}) ORDER BY created_at, {layer.OrderBy}");
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, FeatureJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "FeatureCollection");
            writer.WriteStartArray("features");
            await using (var row = await cmd.ExecuteReaderAsync(ct))
                while (await row.ReadAsync(ct)) FeatureJson.WriteFeature(writer, row, layer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return JsonNode.Parse(buffer.ToArray())!.AsObject();
    }

    /// <summary>
    /// Rolls a committed upload back (<see cref="UploadStore.RollbackAsync"/>); the hooks then follow the roll-back as they
    /// followed the upload, and a hook's failure is a warning on the answer.
    /// </summary>
    public async Task<UploadRecord?> RollbackAsync(Guid id, string actor, CancellationToken ct)
    {
        if (await store.RollbackAsync(id, actor, ct) is not { } record) return null;
        await RunHooksAsync(record, ct);
        return record;
    }

    private async Task RunHooksAsync(UploadRecord record, CancellationToken ct)
    {
        // An upload that inserted and updated nothing (an identical file again), or the roll-back of one, changed no row:
        // there is nothing to follow, and re-deriving every hotspot for it is minutes of work on a large baseline.
        if (record.Counts.Inserted == 0 && record.Counts.Updated == 0) return;
        foreach (var hook in services.GetServices<IUploadCommitHook>())
        {
            try { await hook.OnCommittedAsync(record.Id, record.Target, ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Upload commit hook {Hook} failed for upload {Upload}", hook.GetType().Name, record.Id);
                record.AddFileWarning(new(null, null, null, null, $"follow-up work {hook.GetType().Name} failed after the commit: {e.Message}", "hook_failed"));
            }
        }
    }

    private static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }
}
