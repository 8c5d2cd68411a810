using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace NapGeo.Features;

public sealed record OgcLink(string Href, string Rel, string Type, string? Title = null)
{
    public static void WriteArray(Utf8JsonWriter json, IEnumerable<OgcLink> links)
    {
        json.WriteStartArray();
        foreach (var link in links)
        {
            json.WriteStartObject();
            json.WriteString("href", link.Href);
            json.WriteString("rel", link.Rel);
            json.WriteString("type", link.Type);
            if (link.Title is not null) json.WriteString("title", link.Title);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>The server's absolute base URL for this request (scheme, host, path base).</summary>
    public static string Base(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    /// <summary>This request's query string on another path of this server (the canonical address of what was asked).</summary>
    public static string At(HttpRequest request, string path) => Base(request) + path + request.QueryString;

    /// <summary>This request's URL with some query parameters replaced (null removes one): paging keeps every filter.</summary>
    public static string With(HttpRequest request, params (string Name, string? Value)[] changes)
    {
        var query = QueryHelpers.ParseQuery(request.QueryString.Value);
        foreach (var (name, value) in changes)
            if (value is null) query.Remove(name);
            else query[name] = value;
        var pairs = query.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)));
        return QueryHelpers.AddQueryString(Base(request) + request.Path, pairs);
    }
}
