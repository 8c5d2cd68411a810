using System.Data.Common;
using System.Globalization;
using System.IO.Pipelines;
using NapGeo.Database;
using NapGeo.Layers;

namespace NapGeo.Features;

/// <summary>
/// Streams the features of an <see cref="ItemsQuery"/> in its format, with validators (ETag, Last-Modified, 304),
/// the CRS of the coordinates (Content-Crs) and, for GeoJSON pages, numberMatched and the paging links.
/// </summary>
public sealed class ItemsResult(ItemsQuery query, FeatureReader reader, bool download) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => 200;

    public static string ContentType(OutputFormat format) => format switch
    {
        OutputFormat.Csv => "text/csv; charset=utf-8; header=present",
        OutputFormat.NdJson => "application/x-ndjson",
        OutputFormat.GeoJsonSeq => "application/geo+json-seq",
        _ => FeatureJson.ContentType,
    };

    private static string Extension(OutputFormat format) => format switch
    {
        OutputFormat.Csv => "csv",
        OutputFormat.NdJson => "ndjson",
        OutputFormat.GeoJsonSeq => "geojsons",
        _ => "geojson",
    };

    public async Task ExecuteAsync(HttpContext context)
    {
        var request = context.Request;
        // A download with rows to send waits for the downloads' gate, and waits without a database connection, or the
        // queue would hold connections from the pool that pages and edits need. An unconditional GET can only be a
        // 200, so it queues first; a HEAD or a revalidation needs no place (it reads the state alone), and one that
        // turns out to need the rows gives its connection back before it queues.
        var conditional = request.Headers.IfNoneMatch.Count > 0 || request.Headers.IfModifiedSince.Count > 0;
        if (download && !HttpMethods.IsHead(request.Method) && !conditional) await RespondGatedAsync(context);
        else if (!await RespondAsync(context, mayWriteRows: !download)) await RespondGatedAsync(context);
    }

    private async Task RespondGatedAsync(HttpContext context)
    {
        var gate = context.RequestServices.GetRequiredService<ExportGate>();
        using var lease = await gate.EnterAsync(context.RequestAborted);
        if (!lease.IsAcquired) await gate.Busy(context.Response).ExecuteAsync(context);
        else await RespondAsync(context, mayWriteRows: true);
    }

    /// <summary>The answer; false, before anything is sent, when it would have to write rows and may not.</summary>
    private async Task<bool> RespondAsync(HttpContext context, bool mayWriteRows)
    {
        var ct = context.RequestAborted;
        var request = context.Request;
        var response = context.Response;
        // HEAD gets the validators and, for a page, the count (one cheap query); no rows are read, so a HEAD on a
        // million-row download costs what a 304 does.
        var head = HttpMethods.IsHead(request.Method);
        await using var connection = await reader.OpenAsync(ct);
        // A feature the output CRS cannot express fails when its row is read, after the 200 and the rows before it
        // have left: a truncated body. It is looked for first (one indexed query, only for a CRS that refuses points).
        if (await CrsCoverage.FindAsync(connection, query, ct) is { } refusal)
        {
            await CrsCoverage.Problem(query, refusal).ExecuteAsync(context);
            return true;
        }
        await using var batch = await reader.QueryAsync(connection, query, count: !download, withRows: !download && !head, ct);
        var (state, matched) = (batch.State, batch.Matched);
        var etag = CollectionVersion.ETag(state, $"{request.Path}{request.QueryString}|{query.Format}");
        var notModified = CollectionVersion.NotModified(request, etag, state.LastModified);
        if (!notModified && !head && !mayWriteRows) return false;
        CollectionVersion.Apply(response, etag, state.LastModified);
        response.Headers.Append("Vary", "Accept"); // the format may come from Accept
        response.Headers["Content-Crs"] = $"<{query.Crs.Uri}>";
        if (notModified)
        {
            // RFC 9110 15.4.5: a 304 carries the Vary its 200 would; the compression middleware, which adds
            // Accept-Encoding to a 200, has no body here to act on.
            response.Headers.Append("Vary", "Accept-Encoding");
            response.StatusCode = 304;
            return true;
        }

        response.StatusCode = 200;
        response.ContentType = ContentType(query.Format);
        if (download) response.Headers.ContentDisposition = $"attachment; filename=\"{query.Layer.Name}.{Extension(query.Format)}\"";
        else if (matched is { } m)
        {
            // On every page, GeoJSON too: HEAD sends it, and GET is to send what HEAD says it would.
            response.Headers["OGC-NumberMatched"] = m.ToString(CultureInfo.InvariantCulture);
            // CSV and feature-per-line pages have no body to carry links: RFC 8288 Link headers page them instead.
            if (query.Format != OutputFormat.GeoJson)
            {
                var expected = (int)Math.Clamp(m - query.Offset, 0, query.Limit);
                response.Headers.Link = string.Join(", ", PageLinks(request, m, expected).Select(l => $"<{l.Href}>; rel=\"{l.Rel}\"; type=\"{l.Type}\""));
            }
        }
        if (head) return true;
        // A page's rows came with the state; a download runs its query now, up to its first row, before writing.
        await using var downloadRows = download ? await reader.RowsAsync(connection, query, ct) : null;
        var rows = downloadRows ?? batch;
        var pipe = new StallGuardPipe(response.BodyWriter, context.RequestServices.GetRequiredService<StalledClients>().Limit);
        try
        {
            await WriteBodyAsync(pipe, request, matched, rows, ct);
        }
        catch (Exception e)
        {
            // Whatever ended the body (a client gone or stalled, an error), the rest of the rows is not wanted: the
            // query is cancelled, rather than read to its end by the reader's disposal while the permit is held.
            rows.Cancel();
            if (ct.IsCancellationRequested) throw; // the client went away: nothing to tell it
            var log = context.RequestServices.GetRequiredService<ILogger<ItemsResult>>();
            if (e is ClientStalledException) log.LogWarning("{Path}: {Reason}", request.Path, e.Message);
            // Part of the body is written (a CSV header, the start of a FeatureCollection), sent or not: a problem
            // document now would follow it in the same body, and a client would keep a file that looks whole.
            else log.LogError(e, "Failed while writing {Path}{Query}; the connection was aborted", request.Path, request.QueryString);
            // Dropping the connection makes the transfer fail where the client can see it.
            context.Abort();
        }
        return true;
    }

    private async Task WriteBodyAsync(PipeWriter pipe, HttpRequest request, long? matched, FeatureBatch rows, CancellationToken ct)
    {
        var layer = query.Layer;
        switch (query.Format)
        {
            case OutputFormat.GeoJson:
                var collection = new CollectionWriter(pipe, layer, query.Shape, query.Crs);
                collection.Begin(matched);
                var returned = await rows.WriteRowsAsync(collection.WriteAsync, ct);
                collection.End(returned, download ? [] : Links(request, matched ?? 0, returned));
                break;
            case OutputFormat.Csv:
                await rows.WriteRowsAsync(new CsvWriter(pipe, layer, query.Shape, query.Crs).WriteAsync, ct);
                break;
            default:
                await rows.WriteRowsAsync(new SequenceWriter(pipe, layer, query.Shape, query.Format == OutputFormat.GeoJsonSeq).WriteAsync, ct);
                break;
        }
        await pipe.FlushAsync(ct);
    }

    private IEnumerable<OgcLink> Links(HttpRequest request, long matched, int returned)
    {
        yield return new(OgcLink.With(request), "self", FeatureJson.ContentType, "this page");
        yield return new(OgcLink.With(request, ("f", "csv")), "alternate", ContentType(OutputFormat.Csv), "this page as CSV");
        yield return new(OgcLink.With(request, ("f", "ndjson")), "alternate", ContentType(OutputFormat.NdJson), "this page as newline-delimited GeoJSON");
        foreach (var link in PageLinks(request, matched, returned).Where(l => l.Rel != "self")) yield return link;
        yield return new($"{OgcLink.Base(request)}/ogc/collections/{query.Layer.Name}", "collection", "application/json", query.Layer.Title);
    }

    /// <summary>self, next and prev in the request's own format; paging keeps every other parameter.</summary>
    private IEnumerable<OgcLink> PageLinks(HttpRequest request, long matched, int returned)
    {
        string Offset(int o) => o.ToString(CultureInfo.InvariantCulture);
        var type = ContentType(query.Format);
        yield return new(OgcLink.With(request), "self", type, "this page");
        if (query.Offset + returned < matched)
            yield return new(OgcLink.With(request, ("offset", Offset(query.Offset + query.Limit)), ("limit", Offset(query.Limit))), "next", type, "next page");
        // Past the end, the previous page is the last one, not the page just before an offset that matched nothing.
        if (query.Offset > 0)
            yield return new(OgcLink.With(request, ("offset", Offset((int)Math.Max(0, Math.Min(query.Offset - (long)query.Limit, matched - query.Limit)))),
                ("limit", Offset(query.Limit))), "prev", type, "previous page");
    }
}
