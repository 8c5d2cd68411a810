namespace NapGeo.Http;

/// <summary>Entity-tag lists as conditional headers carry them (RFC 9110 8.8.3, 13.1.1).</summary>
public static class EntityTags
{
    /// <summary>
    /// Reads <c>"a", W/"b"</c> into its tags (each with its quotes). Split by the grammar, not at commas: a tag may hold
    /// one. False when the text is not such a list (e.g. <c>v3</c> without quotes), which is a malformed header rather
    /// than a tag that does not match.
    /// </summary>
    public static bool TryParseList(string header, out List<(bool Weak, string Tag)> tags)
    {
        tags = [];
        var i = 0;
        while (true)
        {
            while (i < header.Length && header[i] is ' ' or '\t' or ',') i++;
            if (i == header.Length) return tags.Count > 0;
            var weak = header.AsSpan(i).StartsWith("W/", StringComparison.Ordinal);
            if (weak) i += 2;
            if (i >= header.Length || header[i] != '"') return false;
            var end = header.IndexOf('"', i + 1);
            if (end < 0) return false;
            tags.Add((weak, header[i..(end + 1)]));
            i = end + 1;
            if (i < header.Length && header[i] is not (' ' or '\t' or ',')) return false;
        }
    }
}
