using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace NapGeo.Layers;

/// <summary>Paging and bounding box of a list request; filters on fields are read from the query by name.</summary>
public sealed record PageRequest(string? Bbox, int? Limit, int? Offset, string? Q)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;
}

public static class LayerQuery
{
    /// <summary>
    /// Builds the filter from <c>bbox</c> and <c>?field=value</c> pairs for the layer's filterable fields, or for all of
    /// its fields when <paramref name="everyField"/> (OGC's queryables as query parameters).
    /// </summary>
    /// <param name="more">Columns besides the layer's fields that may be filtered so (OGC: the record's times).</param>
    public static LayerFilter? Parse(LayerDefinition layer, PageRequest page, IQueryCollection query, ValidationErrors errors, bool everyField = false,
        IEnumerable<Field>? more = null)
    {
        query = RefuseRepeated(query, errors, (name, values) =>
            PageParameters.Contains(name, StringComparer.OrdinalIgnoreCase) ? ""
            : layer.Fields.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } f && (f.Filterable || everyField)
                ? $" (for either value, use /ogc/collections/{layer.Name}/items?filter={EitherOf(f.Name, f.Kind, values)})"
                : null);
        // The binder joined a repeated bbox or q as it did the fields: the repetition is the error, not the joined text.
        page = page with { Bbox = query.ContainsKey("bbox") ? page.Bbox : null, Q = query.ContainsKey("q") ? page.Q : null };
        double[]? bbox = null;
        if (page.Bbox is { } text) bbox = ParseBbox(text, errors);
        if (page.Limit is < 1 or > PageRequest.MaxLimit) errors.Add("limit", $"must be between 1 and {PageRequest.MaxLimit}.");
        if (page.Offset is < 0) errors.Add("offset", "must not be negative.");

        var equals = new List<(Field, object)>();
        var days = new List<Func<Npgsql.NpgsqlParameterCollection, string>>();
        foreach (var field in layer.Fields.Where(f => f.Filterable || everyField).Concat(more ?? []))
        {
            if (!query.TryGetValue(field.Name, out var raw) || raw.Count == 0) continue;
            // A timestamp given as a date (?sampled_at=2024-06-01, as the OGC output writes it) is that whole UTC day:
            // equal to its midnight, it silently missed every sample taken later that day.
            if (field.Kind == FieldKind.Timestamp && DateOnly.TryParseExact(raw.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                days.Add(WholeDay(field, day));
            else if (TryConvert(field, raw.ToString(), out var value, out var problem)) equals.Add((field, value!));
            else errors.Add(field.Name, problem!);
        }
        var search = page.Q?.Trim();
        if (search is { Length: > 100 }) errors.Add("q", "must be at most 100 characters.");
        if (search?.Contains('\0') == true) errors.Add("q", NulProblem);
        if (search is { Length: > 0 } && layer.SearchFields.Count == 0) errors.Add("q", $"{layer.Name} cannot be searched by text.");
        if (!errors.IsEmpty) return null;
        return new LayerFilter(bbox, equals) { Predicates = search is { Length: > 0 } ? [.. days, TextSearch(layer, search)] : days };
    }

    /// <summary>The UTC day [d, d + 1) of a timestamp field; open-ended on the last day there is.</summary>
    private static Func<Npgsql.NpgsqlParameterCollection, string> WholeDay(Field field, DateOnly day) => parameters =>
    {
        string Bind(DateOnly d)
        {
            parameters.Add(new() { Value = d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
        }
        var from = $"{field.Name} >= {Bind(day)}";
        return day == DateOnly.MaxValue ? $"({from})" : $"({from} AND {field.Name} < {Bind(day.AddDays(1))})";
    };

    private static readonly string[] PageParameters = ["bbox", "limit", "offset", "q"];

    /// <summary>
    /// A parameter the list does not take is an error naming the ones it does: a misspelt filter (?stauts=active), another
    /// layer's (?matrix=soil on sites) or a write's (?crs=) was ignored, and the whole layer came back as if filtered.
    /// Query names are matched without regard to case, as ASP.NET Core reads them.
    /// </summary>
    public static void RefuseUnknown(LayerDefinition layer, IQueryCollection query, ValidationErrors errors)
    {
        var filters = layer.Fields.Where(f => f.Filterable).Select(f => f.Name).ToList();
        foreach (var name in query.Keys)
            if (!PageParameters.Concat(filters).Contains(name, StringComparer.OrdinalIgnoreCase))
                errors.Add(name, $"is not a parameter of this list; use {string.Join(", ", PageParameters)} or a filter ({string.Join(", ", filters)}).");
    }

    /// <summary>
    /// The query without the parameters given more than once, each of which is an error naming it. ASP.NET Core reads a
    /// repeated parameter as its values joined by commas, so ?admin1=Ashanti&amp;admin1=Western asked for the admin1
    /// "Ashanti,Western" (no feature) and ?bbox=…&amp;bbox=… for an eight-number box: a 200 with the wrong answer.
    /// <paramref name="advice"/> gives the text added to the message (empty for none), or null for a name that is not
    /// a parameter here, which is left to the caller's check of unknown names.
    /// </summary>
    public static IQueryCollection RefuseRepeated(IQueryCollection query, ValidationErrors errors, Func<string, StringValues, string?> advice)
    {
        var repeated = new List<string>();
        foreach (var (name, values) in query)
            if (values.Count > 1 && advice(name, values) is { } more)
            {
                errors.Add(name, $"is given {values.Count} times; give it once{more}.");
                repeated.Add(name);
            }
        return repeated.Count == 0 ? query
            : new QueryCollection(query.Where(p => !repeated.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The cql2-text condition "<paramref name="name"/> is any of <paramref name="values"/>", written to be copied.</summary>
    public static string EitherOf(string name, FieldKind kind, StringValues values)
    {
        string Text(string? v) => "'" + v?.Replace("'", "''") + "'";
        // A timestamp given as a date is that whole day (see Parse), which = and IN in a filter are not.
        var condition = kind switch
        {
            FieldKind.Timestamp => string.Join(" OR ", values.Select(v => $"T_INTERSECTS({name}, {(v?.Length == 10 ? "DATE" : "TIMESTAMP")}({Text(v)}))")),
            FieldKind.Integer or FieldKind.Number or FieldKind.Boolean => $"{name} IN ({string.Join(",", values.AsEnumerable())})",
            _ => $"{name} IN ({string.Join(",", values.Select(Text))})",
        };
        return condition.Length <= 300 ? condition : $"{name} IN (…)";
    }

    /// <summary>Case-insensitive substring match over the layer's search fields; the text's own wildcards are escaped.</summary>
    public static Func<Npgsql.NpgsqlParameterCollection, string> TextSearch(LayerDefinition layer, string text) => parameters =>
    {
        var pattern = "%" + text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%";
        parameters.Add(new() { Value = pattern });
        var composed = LayerSql.Composed("$" + parameters.Count.ToString(CultureInfo.InvariantCulture) + "::text");
        return "(" + string.Join(" OR ", layer.SearchFields.Select(f => $"{f} ILIKE {composed}")) + ")";
    };

    public static double[]? ParseBbox(string text, ValidationErrors errors)
    {
        var parts = text.Split(',');
        var numbers = new double[parts.Length];
        var ok = parts.Length == 4;
        for (var i = 0; ok && i < parts.Length; i++)
            ok = double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) && double.IsFinite(numbers[i]);
        if (!ok)
        {
            errors.Add("bbox", "must be four numbers: minLon,minLat,maxLon,maxLat.");
            return null;
        }
        // As OGC API's bbox (Part 1, 7.15.3): a west edge east of the east edge crosses the antimeridian (LayerStore.Where).
        if (numbers[1] > numbers[3])
        {
            errors.Add("bbox", "minLat must not exceed maxLat.");
            return null;
        }
        if (numbers[0] > numbers[2] && (numbers[0] >= 180 || numbers[2] <= -180))
        {
            errors.Add("bbox", "a box across the antimeridian (west > east) has its west edge below 180 and its east edge above -180.");
            return null;
        }
        return numbers;
    }

    // PostgreSQL's text cannot hold U+0000: bound, it fails the query with "invalid byte sequence", naming nothing.
    private const string NulProblem = "must not contain the NUL character (U+0000).";

    /// <summary>Converts a query-string value to the CLR value of <paramref name="field"/>.</summary>
    public static bool TryConvert(Field field, string text, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        text = field.Visible(text); // as it is stored, so that a code pasted with a zero-width space still finds its record
        if (text.Contains('\0'))
        {
            problem = NulProblem;
            return false;
        }
        var ok = field.Kind switch
        {
            FieldKind.Text when field.CountryCode => field.StoredCode(text) is { } code && Set(out value, code),
            FieldKind.Text => field.AllowedCode(text) is { } code && Set(out value, code),
            FieldKind.Integer => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && Set(out value, i),
            FieldKind.Number => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && Set(out value, d),
            // 1 and 0 too: GDAL's OAPIF driver reads GeoJSON booleans as integers and sends -where "below_detection = 1" as
            // ?below_detection=1 to a collection whose OpenAPI document lists the parameter.
            FieldKind.Boolean => (bool.TryParse(text, out var b) ? b : text switch { "1" => true, "0" => false, _ => (bool?)null }) is { } flag && Set(out value, flag),
            FieldKind.Date => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && Set(out value, date),
            FieldKind.Timestamp => FeatureInput.TryParseTimestamp(text, out var t) && Set(out value, t),
            FieldKind.Uuid => Guid.TryParse(text, out var g) && Set(out value, g),
            _ => false,
        };
        if (!ok)
            problem = field switch
            {
                { CountryCode: true } => CountryCodes.Problem(text, field.OtherCode),
                { Allowed: { } values } => $"'{text}' is not one of: {string.Join(", ", values)}.",
                _ => $"'{text}' is not a valid {field.Kind.ToString().ToLowerInvariant()}.",
            };
        return ok;
    }

    private static bool Set(out object? target, object value)
    {
        target = value;
        return true;
    }

    /// <summary>The request's own URL with <c>offset</c> replaced: paging links keep every filter.</summary>
    public static Func<int, string> PageLinks(HttpRequest request) => offset =>
    {
        var query = QueryHelpers.ParseQuery(request.QueryString.Value);
        query["offset"] = offset.ToString(CultureInfo.InvariantCulture);
        var pairs = query.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)));
        return QueryHelpers.AddQueryString($"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}", pairs);
    };
}
