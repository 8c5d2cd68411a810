using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using NapGeo.Auth;
using NapGeo.Database;
using NapGeo.Http;

namespace NapGeo.Uploads;

/// <summary>
/// <c>/api/uploads</c>: upload a field data file (multipart), list and read uploads with their reports and progress,
/// and roll an upload back.
/// </summary>
public static class UploadApi
{
    public static IServiceCollection AddUploads(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<UploadOptions>(configuration.GetSection(UploadOptions.Section));
        services.AddSingleton<UploadStore>();
        services.AddSingleton<UploadService>();
        return services;
    }

    public static IEndpointRouteBuilder MapUploads(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/uploads").WithTags("Uploads");
        group.MapPost("", Upload).RequireAuthorization(ApiKeyAuthentication.EditPolicy).RequireRateLimiting(DatabaseGates.UploadPolicy)
            .WithName("CreateUpload")
            .WithSummary("Upload samples, sites or hotspots from a file (editor key)")
            .WithDescription("multipart/form-data: file (CSV, XLSX, GeoJSON, KML/KMZ, GPX, zipped Shapefile, GeoPackage) and fields " +
                             "target (samples|sites|hotspots), campaign, crs (EPSG:…, when the file has none), mapping (JSON object field → column; null leaves a detected field unread), " +
                             "mode (commit|dry-run), on_error (reject-all|skip-invalid), format, id (a UUID to poll GET /api/uploads/{id} while it runs). " +
                             "Fields may also be sent as query parameters.")
            .DisableAntiforgery()
            .Produces<UploadRecord>(200).Produces<UploadRecord>(201).Produces<UploadRecord>(422)
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        // Reports name the uploading key and quote the teams' own cells: for editors, not the public.
        group.MapGetAndHead("", List, b => b.RequireAuthorization(ApiKeyAuthentication.EditPolicy))
            .WithName("ListUploads").WithSummary("Uploads, newest first (without row issues)");
        group.MapGetAndHead("/{id:guid}", Get, b => b.RequireAuthorization(ApiKeyAuthentication.EditPolicy))
            .WithName("GetUpload").WithSummary("One upload: its report and progress (rows processed of total)")
            .ProducesProblem(404);
        group.MapDelete("/{id:guid}", Rollback).RequireAuthorization(ApiKeyAuthentication.EditPolicy)
            .WithName("RollbackUpload").WithSummary("Roll an upload back: delete the rows it inserted, restore the rows it updated (editor key)")
            .ProducesProblem(404).ProducesProblem(409);
        return app;
    }

    public sealed record ListRequest(int? Limit, int? Offset);

    private static async Task<Ok<List<UploadRecord>>> List([AsParameters] ListRequest page, UploadStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ListAsync(Math.Clamp(page.Limit ?? 50, 1, 500), Math.Max(page.Offset ?? 0, 0), ct));

    private static async Task<Results<Ok<UploadRecord>, ProblemHttpResult>> Get(Guid id, UploadStore store, UploadService service, CancellationToken ct) =>
        (await store.GetAsync(id, ct) ?? service.RunningDryRun(id)) is { } record ? TypedResults.Ok(record) : Problems.NotFound($"upload {id}");

    private static async Task<Results<Ok<UploadRecord>, ValidationProblem, ProblemHttpResult>> Rollback(Guid id, HttpContext context, UploadService service, CancellationToken ct)
    {
        if (QueryParameters.RefuseUnknown(context.Request.Query, [], "DELETE /api/uploads/{id}") is { } unknown) return unknown;
        try
        {
            return await service.RollbackAsync(id, context.User.ActorName(), ct) is { } record ? TypedResults.Ok(record) : Problems.NotFound($"upload {id}");
        }
        catch (UploadConflictException e)
        {
            return TypedResults.Problem(statusCode: 409, title: "Cannot roll back", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["rows"] = e.Rows });
        }
    }

    private static async Task<IResult> Upload(HttpContext context, UploadService service, IOptions<UploadOptions> options, CancellationToken ct)
    {
        var limits = options.Value;
        // Room for the multipart framing and the option fields around the file.
        var bodyLimit = limits.MaxBytes + 1024 * 1024;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = bodyLimit;
        if (context.Request.ContentLength > bodyLimit) return TooLarge(limits);
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) ||
            HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
            return Problems.Status(415, "Unsupported media type", "Send the file as multipart/form-data with a part named file.");

        var folder = Directory.CreateTempSubdirectory("napgeo-post-");
        try
        {
            var fields = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            string? fileName = null;
            var path = Path.Combine(folder.FullName, "upload");
            var reader = new MultipartReader(boundary, context.Request.Body) { BodyLengthLimit = bodyLimit };
            try
            {
                while (await reader.ReadNextSectionAsync(ct) is { } section)
                {
                    if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                    var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                    if (disposition.IsFileDisposition() || name == "file")
                    {
                        // Stored with the upload's record, where text cannot hold NUL: shown as ␀ like the report's cells.
                        fileName = RowConverter.Shown(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value) ?? "upload";
                        path = Path.Combine(folder.FullName, "upload" + SafeExtension(fileName));
                        await using var file = File.Create(path);
                        if (!await CopyLimitedAsync(section.Body, file, limits.MaxBytes, ct)) return TooLarge(limits);
                    }
                    else
                    {
                        // Option fields are a few words (a mapping a few hundred bytes); read whole, a 200 MB "campaign" was
                        // held in memory as text.
                        using var bytes = new MemoryStream();
                        if (!await CopyLimitedAsync(section.Body, bytes, MaxOptionBytes, ct))
                            return Problems.Status(400, "Option too long", $"The form field '{RowConverter.Shown(name)}' is longer than {MaxOptionBytes / 1024} KB; options are short texts.");
                        bytes.Position = 0;
                        using var text = new StreamReader(bytes);
                        fields[name] = await text.ReadToEndAsync(ct);
                    }
                }
            }
            catch (BadHttpRequestException e) when (e.StatusCode == 413) { return TooLarge(limits); }
            catch (InvalidDataException e) when (e.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase)) { return TooLarge(limits); }
            catch (Exception e) when (e is InvalidDataException or IOException && !ct.IsCancellationRequested)
            {
                return Problems.Status(400, "Malformed upload", "The multipart body is truncated or malformed: " + e.Message);
            }
            if (fileName is null) return Problems.Status(400, "No file", "The multipart body has no file part (name it file).");

            if (Options(fields, out var problem) is not { } parsed) return problem!;
            var request = new UploadRequest(path, fileName, parsed.Target, parsed.Campaign, parsed.Crs, parsed.Mapping, parsed.DryRun, parsed.OnError,
                context.User.ActorName(), parsed.Format);
            UploadRecord record;
            // Once the whole file is here, a commit runs to its end even if the client goes away: a field team's link drops,
            // or a proxy gives up waiting on a large file (nginx after 60 s), and the team learns the outcome from
            // GET /api/uploads/{id} (the viewer keeps asking) instead of a roll-back it never saw. A stopping server lets it
            // finish within its shutdown timeout, as it lets every request; a process that ends first takes the transaction
            // with it, and the record reads as failed (UploadStore.AbandonedReason). A dry run has no one left to tell, so it
            // stops with its client.
            try { record = await service.RunAsync(request, parsed.Id, null, parsed.DryRun ? ct : CancellationToken.None); }
            catch (UploadFileException e) { return Problems.Status(e.Status, e.Title, e.Message); }
            return record.Status switch
            {
                "committed" => TypedResults.Created($"{context.Request.PathBase}/api/uploads/{record.Id}", record),
                "rejected" => TypedResults.UnprocessableEntity(record),
                _ => TypedResults.Ok(record),
            };
        }
        finally
        {
            try { folder.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private sealed record ParsedOptions(string Target, string? Campaign, string? Crs, Dictionary<string, string?>? Mapping, bool DryRun, OnError OnError, string? Format, Guid? Id);

    private static readonly string[] OptionNames = ["target", "campaign", "crs", "mapping", "mode", "on_error", "format", "id"];

    private static ParsedOptions? Options(Dictionary<string, string> fields, out IResult? problem)
    {
        problem = null;
        string? Field(string name) => fields.TryGetValue(name, out var v) && v.Trim().Length > 0 ? v.Trim() : null;
        var errors = new Dictionary<string, string[]>();
        // A misspelt option would otherwise do the default silently: dry_run=true committed the file.
        var unknown = fields.Keys.Where(name => !OptionNames.Contains(name, StringComparer.OrdinalIgnoreCase)).ToList();
        foreach (var name in unknown)
            errors[name] = [$"is not an upload option; the options are: file, {string.Join(", ", OptionNames)} (a dry run is mode=dry-run)."];
        var target = Field("target");
        if (target is null) errors["target"] = ["is required: samples, sites or hotspots."];
        var mode = Field("mode") ?? "commit";
        if (mode is not ("commit" or "dry-run")) errors["mode"] = ["must be commit or dry-run."];
        var onError = Field("on_error") ?? "reject-all";
        if (onError is not ("reject-all" or "skip-invalid")) errors["on_error"] = ["must be reject-all or skip-invalid."];
        Dictionary<string, string?>? mapping = null;
        if (Field("mapping") is { } json)
        {
            try { mapping = JsonSerializer.Deserialize<Dictionary<string, string?>>(json); }
            catch (JsonException) { errors["mapping"] = ["must be a JSON object of field → column name (null: leave the field unread), e.g. {\"latitude\":\"Lat (dd)\",\"notes\":null}."]; }
        }
        // Options are stored (the campaign on every row, all of them in the upload's record), and PostgreSQL text and jsonb
        // cannot hold a NUL character: the insert failed with "invalid byte sequence", naming no option.
        foreach (var (name, value) in fields.Where(f => OptionNames.Contains(f.Key, StringComparer.OrdinalIgnoreCase)))
            if (value.Contains('\0') || name == "mapping" && mapping is not null && mapping.Any(p => p.Key.Contains('\0') || p.Value?.Contains('\0') == true))
                errors[name] = ["holds a NUL character (byte 0), which cannot be stored; remove it."];
        Guid? id = null;
        if (Field("id") is { } idText)
        {
            if (Guid.TryParse(idText, out var parsed)) id = parsed;
            else errors["id"] = ["must be a UUID."];
        }
        var format = Field("format")?.ToLowerInvariant();
        if (format is not null && !FileGuards.Formats.Contains(format)) errors["format"] = [$"must be one of: {string.Join(", ", FileGuards.Formats)}."];
        if (errors.Count > 0)
        {
            problem = Problems.Invalid(errors, unknown.Count > 0
                ? $"Unknown upload option{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(n => $"'{n}'"))}; the options are: file, {string.Join(", ", OptionNames)}. Nothing was read or stored."
                : "The upload options are invalid; see errors.");
            return null;
        }
        return new ParsedOptions(target!, Field("campaign"), Field("crs"), mapping, mode == "dry-run",
            onError == "skip-invalid" ? OnError.SkipInvalid : OnError.RejectAll, format, id);
    }

    private const int MaxOptionBytes = 64 * 1024;

    private static async Task<bool> CopyLimitedAsync(Stream input, Stream output, long max, CancellationToken ct)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > max) return false;
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return true;
    }

    private static string SafeExtension(string fileName)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        return extension.Length is > 1 and <= 10 && extension[1..].All(char.IsAsciiLetterOrDigit) ? extension : "";
    }

    private static IResult TooLarge(UploadOptions limits) =>
        Problems.Status(413, "File too large", $"The upload is larger than {limits.MaxBytes} bytes (NapGeo:Uploads:MaxBytes).");
}
