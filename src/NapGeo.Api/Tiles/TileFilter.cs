using System.Globalization;
using NapGeo.Layers;

namespace NapGeo.Tiles;

/// <summary>
/// The query parameters a tile request may filter by: <c>country</c> (sites directly, hotspots and samples through
/// their site), <c>matrix</c>, <c>from</c> and <c>to</c> (sample dates, inclusive), <c>status</c> (sites) and
/// <c>exceedance_class</c> (samples). Part of the cache key.
/// </summary>
public sealed record TileFilter(string? Country, string? Matrix, DateOnly? From, DateOnly? To, string? Status = null, string? ExceedanceClass = null)
{
    public static readonly TileFilter None = new(null, null, null, null);
    public static readonly string[] Names = ["country", "matrix", "from", "to", "status", "exceedance_class"];

    /// <summary>
    /// The filter of a tile or TileJSON query. As on the REST lists, a parameter that is not a filter, or one given twice,
    /// is a 400: a misspelt <c>stauts=active</c> answered every site's tile, which a dashboard took for the filtered one.
    /// </summary>
    public static TileFilter? Parse(IQueryCollection query, ValidationErrors errors)
    {
        foreach (var name in query.Keys.Where(n => !Names.Contains(n, StringComparer.OrdinalIgnoreCase)))
            errors.Add(name, $"is not a tile filter; use {string.Join(", ", Names)}.");
        query = LayerQuery.RefuseRepeated(query, errors, (name, _) => Names.Contains(name, StringComparer.OrdinalIgnoreCase) ? "" : null);
        string? Text(string name) => query.TryGetValue(name, out var v) && v.Count > 0 && !string.IsNullOrWhiteSpace(v[0]) ? v[0]!.Trim() : null;
        DateOnly? Date(string name)
        {
            if (Text(name) is not { } text) return null;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
            errors.Add(name, $"'{text}' is not a date (YYYY-MM-DD).");
            return null;
        }
        var country = Text("country");
        if (country is not null && !CountryCodes.IsAlpha3(country.ToUpperInvariant())) errors.Add("country", CountryCodes.Problem(country));
        country = country?.ToUpperInvariant();
        // Coded values are read as the REST filters read them (LayerField.AllowedCode: "Active", "Hard rock"), so a
        // dashboard can send the same values to both; the code is what the cache key and the statement get.
        string? Coded(string name, string layer)
        {
            if (Text(name) is not { } value) return null;
            var field = LayerCatalog.Find(layer)!.Find(name)!;
            if (field.AllowedCode(value) is { } code) return code;
            errors.Add(name, $"'{value}' is not one of {string.Join(", ", field.Allowed!)}.");
            return null;
        }
        var filter = new TileFilter(country, Coded("matrix", "samples"), Date("from"), Date("to"), Coded("status", "sites"), Coded("exceedance_class", "samples"));
        if (filter.From > filter.To) errors.Add("to", "is before from.");
        return errors.IsEmpty ? filter : null;
    }

    /// <summary>Which filters are set, one bit each in <see cref="Names"/> order: the statement variant to run.</summary>
    public int SetMask() =>
        (Country is null ? 0 : 1) | (Matrix is null ? 0 : 2) | (From is null ? 0 : 4) | (To is null ? 0 : 8) |
        (Status is null ? 0 : 16) | (ExceedanceClass is null ? 0 : 32);

    /// <summary>The canonical query of this filter restricted to what <paramref name="uses"/> applies: the cache key part.</summary>
    public string Key(IReadOnlySet<string> uses)
    {
        if (this == None) return "";
        var parts = new List<string>(4);
        if (Country is not null && uses.Contains("country")) parts.Add("country=" + Country);
        if (Matrix is not null && uses.Contains("matrix")) parts.Add("matrix=" + Matrix);
        if (From is { } f && uses.Contains("from")) parts.Add("from=" + f.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (To is { } t && uses.Contains("to")) parts.Add("to=" + t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (Status is not null && uses.Contains("status")) parts.Add("status=" + Status);
        if (ExceedanceClass is not null && uses.Contains("exceedance_class")) parts.Add("exceedance_class=" + ExceedanceClass);
        return string.Join('&', parts);
    }
}
