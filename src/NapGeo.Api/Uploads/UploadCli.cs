using System.CommandLine;
using System.Text.Json;
using NapGeo.Database;

namespace NapGeo.Uploads;

/// <summary><c>./napgeo import FILE --target samples …</c>: the same upload service as POST /api/uploads, without HTTP.</summary>
public static class UploadCli
{
    public static Command Import()
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV, XLSX, GeoJSON, KML/KMZ, GPX, zipped Shapefile or GeoPackage" };
        var target = new Option<string>("--target") { Description = "samples, sites or hotspots", Required = true };
        target.AcceptOnlyFromAmong("samples", "sites", "hotspots");
        var campaign = new Option<string?>("--campaign") { Description = "Campaign for samples whose file has no campaign column" };
        var crs = new Option<string?>("--crs") { Description = "CRS of the coordinates when the file has none, e.g. EPSG:32630" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check and report; store nothing" };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Load the valid rows and report the others (default: reject all)" };
        var mapping = new Option<string?>("--mapping") { Description = "JSON object field → column (null: leave a detected field unread), e.g. {\"latitude\":\"Lat\",\"notes\":null}" };
        var actor = new Option<string>("--actor") { Description = "Name recorded in the audit log", DefaultValueFactory = _ => "cli:" + Environment.UserName };
        var command = new Command("import", "Upload a field data file (same checks and report as POST /api/uploads)")
            { file, target, campaign, crs, dryRun, skipInvalid, mapping, actor };
        command.SetAction(async (parse, ct) =>
        {
            var builder = WebApplication.CreateBuilder();
            builder.AddNapGeo();
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout carries the report
            await using var app = builder.Build();
            NapGeoDatabase.Migrate(NapGeoDatabase.ConnectionString(app.Configuration), TextWriter.Null);
            var service = app.Services.GetRequiredService<UploadService>();
            var path = parse.GetValue(file)!;
            if (!path.Exists) { Console.Error.WriteLine($"error: {path.FullName} does not exist."); return 1; }
            Dictionary<string, string?>? columns = null;
            try { columns = parse.GetValue(mapping) is { } m ? JsonSerializer.Deserialize<Dictionary<string, string?>>(m) : null; }
            catch (JsonException) { Console.Error.WriteLine("error: --mapping must be a JSON object of field → column, e.g. {\"latitude\":\"Lat\"}."); return 1; }
            var onError = parse.GetValue(skipInvalid) ? OnError.SkipInvalid : OnError.RejectAll;
            var request = new UploadRequest(path.FullName, path.Name, parse.GetValue(target)!, parse.GetValue(campaign), parse.GetValue(crs),
                columns, parse.GetValue(dryRun), onError, parse.GetValue(actor)!);
            var bar = new ProgressBar();
            try
            {
                var record = await service.RunAsync(request, null, bar.Show, ct);
                bar.End();
                Console.WriteLine(JsonSerializer.Serialize(record, new JsonSerializerOptions(UploadStore.Json) { WriteIndented = true }));
                var c = record.Counts;
                Console.Error.WriteLine($"{record.Status}: {c.Rows} rows, {c.Valid} valid, {c.Invalid} invalid, {c.Inserted} inserted, {c.Updated} updated, " +
                                        $"{c.Unchanged} unchanged, {(c.Superseded > 0 ? $"{c.Superseded} superseded by a later row with the same id, " : "")}{c.Warnings} warnings; peak memory {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MB");
                // A dry run that a commit would reject fails too, so a "check the file" step in a pipeline can fail.
                var wouldReject = record.Status == "dry-run" && (c.Invalid > 0 && onError == OnError.RejectAll || c.Valid == 0);
                return record.Status is "committed" || record.Status == "dry-run" && !wouldReject ? 0 : 2;
            }
            catch (UploadFileException e)
            {
                bar.End();
                Console.Error.WriteLine($"{e.Title}: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>
    /// Progress on stderr: a one-line bar redrawn in place on a terminal; in a log (stderr redirected, as in CI) a plain
    /// line at every tenth, since carriage returns would pile up in one line there.
    /// </summary>
    private sealed class ProgressBar
    {
        private const int Width = 30;
        private bool _open;
        private int _lastTenth = -1;
        private bool _merging;

        public void Show(UploadProgress progress)
        {
            var total = Math.Max(progress.Total ?? progress.Processed, 1);
            var share = Math.Min(1.0, progress.Processed / (double)total);
            var text = $"{share,4:P0} {progress.Processed}/{total} rows";
            if (Console.IsErrorRedirected)
            {
                var tenth = (int)(share * 10);
                if (tenth != _lastTenth) Console.Error.WriteLine($"progress: {text}");
                _lastTenth = tenth;
            }
            else
            {
                var filled = (int)(share * Width);
                Console.Error.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {text}");
                _open = true;
            }
            // Every row read, the merge into the table follows in one statement (300,000 rows: minutes), with nothing to
            // count: said, so that the bar standing at 100 % does not pass for a hang.
            if (progress.Processed < total || progress.Total is null || _merging) return;
            _merging = true;
            End();
            Console.Error.WriteLine($"progress: all rows read and checked; merging them into the table (started {DateTime.Now:HH:mm:ss}; a large file takes minutes)…");
        }

        /// <summary>Ends the bar's line, so what follows starts on its own (also after an empty file or an error).</summary>
        public void End()
        {
            if (_open) Console.Error.WriteLine();
            _open = false;
        }
    }
}
