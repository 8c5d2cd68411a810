using Microsoft.AspNetCore.ResponseCompression;

namespace NapGeo.Http;

/// <summary>
/// Strong ETags per content coding. A strong tag names one sequence of bytes (RFC 9110 8.8.3), and the response
/// compression middleware changes the bytes after a handler has set the tag, so the gzip and brotli forms of a
/// response carry the tag with a suffix of their own: "abc-gzip", "abc-br". Wherever a tag is read back they stand for
/// the same content, so a client that stored the tag of a compressed answer can still revalidate with it.
/// </summary>
public static class ContentCodings
{
    private static readonly string[] Suffixes = ["-gzip", "-br"];

    /// <summary>
    /// The coding the compression middleware will apply to this response, or null: its own decision, from
    /// Accept-Encoding and the Content-Type, which must be set before asking.
    /// </summary>
    public static string? Of(HttpContext context)
    {
        var compression = context.RequestServices.GetService<IResponseCompressionProvider>();
        if (compression is null || !compression.CheckRequestAcceptsCompression(context) || !compression.ShouldCompressResponse(context)) return null;
        return compression.GetCompressionProvider(context)?.EncodingName is { } name && Suffixes.Contains("-" + name) ? name : null;
    }

    /// <summary>The tag <paramref name="etag"/> (quoted) of the bytes in <paramref name="coding"/>: "abc" becomes "abc-gzip".</summary>
    public static string Tag(string etag, string? coding) => coding is null ? etag : $"{etag[..^1]}-{coding}\"";

    /// <summary>The tag without the suffix of a content coding: "v3-gzip" is "v3".</summary>
    public static string WithoutCoding(string tag)
    {
        foreach (var suffix in Suffixes)
            if (tag.EndsWith(suffix + "\"", StringComparison.Ordinal)) return tag[..^(suffix.Length + 1)] + "\"";
        return tag;
    }

    /// <summary>
    /// If-None-Match is "*" or names <paramref name="etag"/>, compared weakly (RFC 9110 13.1.2) and in any coding:
    /// W/"v3" matches "v3" (a proxy that compressed the answer weakens the tag), and so does "v3-gzip".
    /// </summary>
    public static bool IfNoneMatchHits(HttpRequest request, string etag) =>
        request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Select(t => t.Trim())
            .Any(t => t == "*" || WithoutCoding(t.StartsWith("W/", StringComparison.Ordinal) ? t[2..] : t) == WithoutCoding(etag)));
}
