using System.Text.Json;
using NapGeo.Http;

namespace NapGeo.Layers;

/// <summary>
/// One feature as GeoJSON with a strong ETag (its row version); answers 304 to a matching If-None-Match. A
/// <paramref name="variant"/> names a representation other than the plain one (another CRS, chosen properties): it
/// becomes part of the tag, so a copy cached in one representation is not taken for another. A
/// <paramref name="lastModified"/> is sent as Last-Modified and answers If-Modified-Since when no If-None-Match is sent.
/// </summary>
public sealed class FeatureResult(int status, byte[] json, int version, string? location = null, string? variant = null,
    DateTimeOffset? lastModified = null) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => status;

    public static string ETag(int version) => $"\"v{version}\"";

    /// <summary>
    /// The gzip and brotli encodings of a feature carry tags of their own, "v3-gzip", "v3-br" (<see cref="ContentCodings"/>),
    /// which stand for the same version in If-Match too (<see cref="TryParseETag"/>).
    /// </summary>
    private static string ETag(int version, string? variant, string? coding)
    {
        var tag = variant is null
            ? $"v{version}"
            : $"v{version}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(variant)))[..16]}";
        return ContentCodings.Tag($"\"{tag}\"", coding);
    }

    /// <summary>
    /// The version of a tag this API gives, such as <c>"v3"</c> (or <c>"v3-gzip"</c>); false for any other tag. Strong
    /// comparison (RFC 9110 8.8.3.2) is of the exact characters: <c>"v03"</c> is not <c>"v3"</c>, so only the number's
    /// own spelling is read.
    /// </summary>
    public static bool TryParseETag(string value, out int version)
    {
        var text = ContentCodings.WithoutCoding(value.Trim());
        version = 0;
        return text.Length > 3 && text[0] == '"' && text[^1] == '"' && text[1] == 'v' &&
               int.TryParse(text.AsSpan(2, text.Length - 3), System.Globalization.NumberStyles.None, null, out version) &&
               text.AsSpan(2, text.Length - 3).SequenceEqual(version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static bool IfNoneMatchHits(HttpRequest request, string etag) => ContentCodings.IfNoneMatchHits(request, etag);

    public Task ExecuteAsync(HttpContext context)
    {
        // The coding depends on the Content-Type, set first; a 304 carries the tag of the representation it stands for.
        context.Response.ContentType = FeatureJson.ContentType;
        var coding = ContentCodings.Of(context);
        var etag = ETag(version, variant, coding);
        // The tag follows Accept-Encoding, on a 304 too, where the compression middleware (which says so when it
        // compresses) is not involved.
        if (context.RequestServices.GetService<Microsoft.AspNetCore.ResponseCompression.IResponseCompressionProvider>() is not null)
            context.Response.Headers.Append("Vary", "Accept-Encoding");
        context.Response.Headers.ETag = etag;
        if (location is not null) context.Response.Headers.Location = location;
        if (lastModified is { } modified) context.Response.GetTypedHeaders().LastModified = Features.CollectionVersion.Truncate(modified);
        // 304 is a read's answer only: a write's If-None-Match was checked as a precondition before it was made.
        var read = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        var unchanged = context.Request.Headers.IfNoneMatch.Count > 0
            ? IfNoneMatchHits(context.Request, etag)
            : Features.CollectionVersion.UnmodifiedSince(context.Request, lastModified);
        if (status == 200 && read && unchanged)
        {
            context.Response.ContentType = null;
            context.Response.StatusCode = 304;
            return Task.CompletedTask;
        }
        context.Response.StatusCode = status;
        context.Response.ContentLength = json.Length;
        return context.Response.Body.WriteAsync(json, context.RequestAborted).AsTask();
    }
}

/// <summary>A page of features streamed as a FeatureCollection: rows are written as PostgreSQL returns them.</summary>
public sealed class FeatureCollectionResult(
    LayerStore store, LayerDefinition layer, LayerFilter filter, int limit, int offset, Func<int, string>? pageLink) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => 200;

    public async Task ExecuteAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        // A HEAD answers GET's status and type; the page has no validators, so there is nothing to read for it.
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = FeatureJson.ContentType;
            return;
        }
        var matched = await store.CountAsync(layer, filter, ct);
        context.Response.StatusCode = 200;
        context.Response.ContentType = FeatureJson.ContentType;
        var body = context.Response.Body;
        await using var writer = new Utf8JsonWriter(body, FeatureJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        writer.WriteNumber("numberMatched", matched);
        writer.WritePropertyName("features");
        writer.WriteStartArray();
        var returned = await store.WriteFeaturesAsync(layer, filter, limit, offset, writer, body, ct);
        writer.WriteEndArray();
        writer.WriteNumber("numberReturned", returned);
        writer.WritePropertyName("links");
        writer.WriteStartArray();
        if (pageLink is not null)
        {
            WriteLink(writer, "self", pageLink(offset));
            if (offset + returned < matched) WriteLink(writer, "next", pageLink(offset + limit));
            if (offset > 0) WriteLink(writer, "prev", pageLink(Math.Max(0, offset - limit)));
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(ct);
    }

    private static void WriteLink(Utf8JsonWriter writer, string rel, string href)
    {
        writer.WriteStartObject();
        writer.WriteString("rel", rel);
        writer.WriteString("type", FeatureJson.ContentType);
        writer.WriteString("href", href);
        writer.WriteEndObject();
    }
}
