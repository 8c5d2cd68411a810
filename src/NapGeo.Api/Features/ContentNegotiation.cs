using Microsoft.Net.Http.Headers;

namespace NapGeo.Features;

/// <summary>
/// Proactive negotiation on Accept (RFC 9110 12.5.1) among the media types a resource offers, with q-values:
/// <c>text/csv;q=0, application/geo+json</c> refuses CSV, although it names it.
/// </summary>
public static class ContentNegotiation
{
    /// <summary>
    /// The offer the client prefers; null when the request has no usable Accept or accepts none of the offers, so the
    /// caller serves its default (RFC 9110 lets a server disregard Accept rather than answer 406) unless the client
    /// refused that default (<see cref="Refuses"/>). Each offer's quality is that of the most specific range matching it
    /// (text/csv;q=0 beats */*); the highest quality wins, then an offer named over one matched by a wildcard, then the
    /// one the client listed first, then the first offered. A value offered under several media types (GeoJSON as
    /// application/geo+json and application/json) is judged by the most specific range naming any of them, its first
    /// media type (the one the response carries) on a tie: application/geo+json;q=0 refuses GeoJSON although */* would
    /// take application/json.
    /// </summary>
    public static T? Choose<T>(HttpRequest request, IReadOnlyList<(string MediaType, T Value)> offers) where T : struct
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var ranges) || ranges.Count == 0) return null;
        (double Quality, int Specificity, int Position, T Value)? best = null;
        foreach (var value in offers.Select(o => o.Value).Distinct())
        {
            (double Quality, int Specificity, int Position)? match = null;
            foreach (var (mediaType, _) in offers.Where(o => EqualityComparer<T>.Default.Equals(o.Value, value)))
                if (Match(ranges, mediaType) is { } m && (match is not { } f || m.Specificity > f.Specificity)) match = m;
            if (match is not { } found || found.Quality <= 0) continue;
            if (best is not { } b || found.Quality > b.Quality ||
                (found.Quality == b.Quality && (found.Specificity > b.Specificity || (found.Specificity == b.Specificity && found.Position < b.Position))))
                best = (found.Quality, found.Specificity, found.Position, value);
        }
        return best?.Value;
    }

    /// <summary>True when Accept refuses <paramref name="mediaType"/> outright: its most specific matching range has q=0.</summary>
    public static bool Refuses(HttpRequest request, string mediaType) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var ranges) && Match(ranges, mediaType) is { Quality: <= 0 };

    /// <summary>The most specific range covering <paramref name="mediaType"/>: exact (2), type/* (1) or */* (0).</summary>
    private static (double Quality, int Specificity, int Position)? Match(IList<MediaTypeHeaderValue> ranges, string mediaType)
    {
        var slash = mediaType.IndexOf('/');
        var (type, subType) = (mediaType[..slash], mediaType[(slash + 1)..]);
        (double Quality, int Specificity, int Position)? found = null;
        for (var i = 0; i < ranges.Count; i++)
        {
            var range = ranges[i];
            int specificity;
            if (range.MatchesAllTypes) specificity = 0;
            else if (!range.Type.Equals(type, StringComparison.OrdinalIgnoreCase)) continue;
            else if (range.MatchesAllSubTypes) specificity = 1;
            else if (range.SubType.Equals(subType, StringComparison.OrdinalIgnoreCase)) specificity = 2;
            else continue;
            if (found is { } f && f.Specificity >= specificity) continue;
            found = (range.Quality ?? 1, specificity, i);
        }
        return found;
    }
}
