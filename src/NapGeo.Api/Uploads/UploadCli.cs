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
        var mapping = new Option<string?>("--mapping") { Description = "JSON object field → column, e.g. {\"latitude\":\"Lat\"}" };
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
            var request = new UploadRequest(path.FullName, path.Name, parse.GetValue(target)!, parse.GetValue(campaign), parse.GetValue(crs),
                parse.GetValue(mapping) is { } m ? JsonSerializer.Deserialize<Dictionary<string, string>>(m) : null,
                parse.GetValue(dryRun), parse.GetValue(skipInvalid) ? OnError.SkipInvalid : OnError.RejectAll, parse.GetValue(actor)!);
            try
            {
                var record = await service.RunAsync(request, null, ProgressBar, ct);
                Console.WriteLine(JsonSerializer.Serialize(record, new JsonSerializerOptions(UploadStore.Json) { WriteIndented = true }));
                var c = record.Counts;
                Console.Error.WriteLine($"{record.Status}: {c.Rows} rows, {c.Valid} valid, {c.Invalid} invalid, {c.Inserted} inserted, {c.Updated} updated, " +
                                        $"{c.Unchanged} unchanged, {c.Warnings} warnings; peak memory {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MB");
                return record.Status is "committed" or "dry-run" ? 0 : 2;
            }
            catch (UploadFileException e)
            {
                Console.Error.WriteLine($"{e.Title}: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>A one-line bar on stderr, redrawn in place.</summary>
    public static void ProgressBar(UploadProgress progress)
    {
        const int width = 30;
        var total = Math.Max(progress.Total ?? progress.Processed, 1);
        var share = Math.Min(1.0, progress.Processed / (double)total);
        var filled = (int)(share * width);
        Console.Error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {share,4:P0} {progress.Processed}/{total} rows");
        if (progress.Processed >= total) Console.Error.WriteLine();
    }
}
