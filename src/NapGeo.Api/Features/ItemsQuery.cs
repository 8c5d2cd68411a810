using System.Globalization;
using NapGeo.Features.Cql2;
using NapGeo.Layers;
using Microsoft.Extensions.Primitives;
using Npgsql;
using NpgsqlTypes;

namespace NapGeo.Features;

public enum OutputFormat { GeoJson, Csv, NdJson, GeoJsonSeq }

/// <summary>
/// One items request, parsed and checked: the shared <see cref="LayerFilter"/> (bbox, datetime, CQL2 filter,
/// property equality) plus order, properties, output CRS, paging and format.
/// </summary>
public sealed record ItemsQuery(
    LayerDefinition Layer, LayerFilter Filter, string OrderBy, FeatureShape Shape, OgcCrs Crs, int Limit, int Offset, OutputFormat Format)
{
    /// <summary>
    /// True when the page's order and filter are both in the layer's <see cref="LayerDefinition.CoveringPoint"/> index
    /// (a lon/lat box, the default order): the page is then chosen from the index and only its rows are read.
    /// </summary>
    public bool IndexChoosesPage { get; init; }

    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;

    /// <summary>The parameters an items request takes besides the queryables: those the OpenAPI document declares.</summary>
    private static readonly string[] Parameters = typeof(OgcApi.ItemsParameters).GetProperties()
        .Select(p => p.GetCustomAttributes(typeof(Microsoft.AspNetCore.Mvc.FromQueryAttribute), false).Cast<Microsoft.AspNetCore.Mvc.FromQueryAttribute>().Single().Name!)
        .ToArray();

    /// <summary>True when <paramref name="name"/> is a parameter of items requests: a declared one or a queryable.</summary>
    public static bool Accepts(LayerDefinition layer, string name) =>
        Parameters.Contains(name) || Queryables.For(layer).Find(name) is { IsGeometry: false };

    /// <summary>Names <c>properties=</c> accepts besides the layer's fields.</summary>
    public static readonly string[] MetadataProperties = ["created_at", "updated_at", "version", FeatureJson.MapxStart, FeatureJson.MapxEnd];

    /// <param name="paged">False for downloads: no limit unless one is given, and no maximum.</param>
    /// <param name="oneFeature">For /items/{featureId}: GeoJSON is the only format Accept may choose.</param>
    public static ItemsQuery? Parse(LayerDefinition layer, HttpRequest request, bool paged, ValidationErrors errors, bool oneFeature = false)
    {
        var queryables = Queryables.For(layer);
        var query = LayerQuery.RefuseRepeated(request.Query, errors, (name, values) => Accepts(layer, name) ? OnceInstead(queryables, name, values) : null);
        var predicates = new List<Func<NpgsqlParameterCollection, string>>();

        var limit = paged ? DefaultLimit : int.MaxValue;
        if (query["limit"] is { Count: > 0 } l)
        {
            if (WholeNumber(l.ToString()) is not { } n || n < 1) errors.Add("limit", "must be a whole number of at least 1.");
            // Part 1: a limit above the maximum is not an error; the server serves its maximum.
            else limit = paged ? Math.Min(n, MaxLimit) : n;
        }
        var offset = 0;
        if (query["offset"] is { Count: > 0 } o)
        {
            if (WholeNumber(o.ToString()) is { } n) offset = n;
            else errors.Add("offset", "must be a whole number of at least 0.");
        }

        var crs = ReadCrs(query, "crs", errors) ?? OgcCrs.Crs84;
        var bboxCrs = ReadCrs(query, "bbox-crs", errors) ?? OgcCrs.Crs84;
        var filterCrs = ReadCrs(query, "filter-crs", errors) ?? OgcCrs.Crs84;
        if (query["bbox"] is { Count: > 0 } bboxText && ReadBbox(layer, bboxText.ToString(), bboxCrs, errors) is { } bbox) predicates.Add(bbox);
        if (query["datetime"] is { Count: > 0 } datetime && ReadDatetime(layer, datetime.ToString(), errors) is { } time) predicates.Add(time);
        if (query["filter"] is { Count: > 0 } filterText && ReadFilter(filterText.ToString(), query["filter-lang"].ToString(), queryables, filterCrs, errors) is { } filter)
            predicates.Add(filter);

        // Queryables as query parameters (?status=active): every field, the record's times, and the id.
        var equality = LayerQuery.Parse(layer, new PageRequest(null, null, null, null), query, errors, everyField: true, more: Queryables.RecordTimes);
        if (query["id"] is { Count: > 0 } idText)
        {
            if (Guid.TryParse(idText.ToString(), out var id)) predicates.Add(ps => { ps.Add(new NpgsqlParameter { Value = id }); return $"id = ${ps.Count}"; });
            else errors.Add("id", $"'{Shorten(idText.ToString())}' is not a UUID.");
        }
        // OGC API – Features /req/core/query-param-unknown: a misspelt parameter (bbbox=) is an error, not an unfiltered answer.
        foreach (var name in query.Keys)
            if (!Parameters.Contains(name) && queryables.Find(name) is not { IsGeometry: false })
                errors.Add(name, $"is not a parameter here; use {string.Join(", ", Parameters)} or a queryable property ({string.Join(", ", queryables.All.Where(q => !q.IsGeometry).Select(q => q.Name))}).");
        var orderBy = ReadSortBy(layer, query["sortby"].ToString(), queryables, errors);
        var properties = ReadProperties(layer, query["properties"].ToString(), query.ContainsKey("properties"), errors);
        var format = ReadFormat(layer, request, query, oneFeature, errors);
        if (!errors.IsEmpty) return null;
        var shape = new FeatureShape(properties, DatesOnly: true, MapxTime: layer.Time is not null);
        var boxOnly = predicates.Count == 1 && query["bbox"].Count > 0 && bboxCrs.IsGeographic && equality!.Matches.Count == 0 && equality.Predicates.Count == 0;
        return new ItemsQuery(layer, equality! with { Predicates = [.. equality.Predicates, .. predicates] }, orderBy, shape, crs, limit, offset, format)
        {
            IndexChoosesPage = layer.CoveringPoint is not null && boxOnly && query["sortby"].ToString().Length == 0 && limit != int.MaxValue,
        };
    }

    /// <summary>How to ask in one parameter what a repeated one meant, for the 400 naming it.</summary>
    private static string OnceInstead(Queryables queryables, string name, StringValues values) => name switch
    {
        "bbox" => " (for features in either box use filter=S_INTERSECTS(geometry, BBOX(…)) OR S_INTERSECTS(geometry, BBOX(…)))",
        "datetime" => " (for features at either time use filter=T_INTERSECTS(…) OR T_INTERSECTS(…))",
        "filter" => " (join the conditions with AND or OR in one filter)",
        "sortby" or "properties" => $" (list the names in one, separated by commas: {name}=a,b)",
        _ when queryables.Find(name) is { IsGeometry: false } q => $" (use filter={LayerQuery.EitherOf(q.Name, q.Kind, values)} for either value)",
        _ => "",
    };

    /// <summary>Digits only; numbers beyond the range of int are taken as its maximum (no page is that long).</summary>
    private static int? WholeNumber(string text) =>
        text.Length == 0 || !text.All(char.IsAsciiDigit) ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;

    private static OgcCrs? ReadCrs(IQueryCollection query, string name, ValidationErrors errors)
    {
        if (query[name] is not { Count: > 0 } value) return null;
        var crs = OgcCrs.Parse(value.ToString());
        if (crs is null) errors.Add(name, $"'{Shorten(value.ToString())}' is not a CRS of this collection; {OgcCrs.SupportedHint}.");
        return crs;
    }

    private static Func<NpgsqlParameterCollection, string>? ReadBbox(LayerDefinition layer, string text, OgcCrs crs, ValidationErrors errors)
    {
        var parts = text.Split(',');
        var n = new double[parts.Length];
        var ok = parts.Length is 4 or 6;
        for (var i = 0; ok && i < parts.Length; i++)
            ok = double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out n[i]) && double.IsFinite(n[i]);
        if (!ok)
        {
            errors.Add("bbox", "must be four numbers (or six with heights): lower-left and upper-right corner in bbox-crs.");
            return null;
        }
        var half = n.Length / 2;
        var (x1, y1, x2, y2) = crs.LatLonOrder ? (n[1], n[0], n[half + 1], n[half]) : (n[0], n[1], n[half], n[half + 1]);
        // Part 1 (7.15.3): a box crossing the antimeridian has its west edge east of its east edge (170,0,-170,10).
        var acrossAntimeridian = x1 > x2 && crs.IsGeographic;
        if ((x1 > x2 && !acrossAntimeridian) || y1 > y2)
        {
            errors.Add("bbox", "the lower corner must not exceed the upper corner.");
            return null;
        }
        if (crs.Domain is { } domain)
        {
            // Cut to where the CRS's coordinates mean something: a map panned past the antimeridian asks for eastings
            // beyond the Web Mercator world, and a client asking for "everything" may send ±1e15.
            var pieces = domain.Clip(new NetTopologySuite.Geometries.Envelope(x1, x2, y1, y2));
            if (pieces.Count == 0)
            {
                errors.Add("bbox", $"the box lies wholly outside the area {crs.Uri} covers ({domain.Description}).");
                return null;
            }
            // A projected box is no longer a lon/lat rectangle once transformed: only ST_Intersects is exact. PostGIS
            // adds the index condition (geom && box) itself, so the box is computed once per statement.
            return ps => $"ST_Intersects(geom, {domain.ToLonLatSql(pieces, (value, type) => Bind(ps, value, type))})";
        }
        return ps => LayerSql.BboxClause(layer, ps, x1, y1, x2, y2);
    }

    private static string Bind(NpgsqlParameterCollection ps, object value, NpgsqlDbType? type)
    {
        var parameter = new NpgsqlParameter { Value = value };
        if (type is { } t) parameter.NpgsqlDbType = t;
        ps.Add(parameter);
        return "$" + ps.Count.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <c>datetime</c>: an instant or an interval (start/end, ".." or empty for open), intersected with the layer's
    /// time. A date means the whole day; for a start–end layer a missing end means the start day only, and a missing
    /// start an interval open towards the past.
    /// </summary>
    private static Func<NpgsqlParameterCollection, string>? ReadDatetime(LayerDefinition layer, string text, ValidationErrors errors)
    {
        if (layer.Time is not { } time)
        {
            errors.Add("datetime", $"{layer.Name} have no time property.");
            return null;
        }
        var parts = text.Split('/');
        if (parts.Length > 2) { errors.Add("datetime", "must be an instant or start/end."); return null; }
        // Part 1's grammar (7.15.4) has a date-time on at least one side: "..", "/" and "../.." are no value of it (to
        // ask for all times, leave datetime out).
        if (parts.All(p => p is "" or ".."))
        {
            errors.Add("datetime", $"'{Shorten(text)}' has no date: give an instant ({Rfc3339.DateExample}), start/end, or one open end " +
                                   $"({Rfc3339.DateExample}/.. or ../{Rfc3339.DateExample}); leave datetime out for all times.");
            return null;
        }
        var start = Bound(parts[0], lower: true, errors);
        var end = parts.Length == 2 ? Bound(parts[1], lower: false, errors) : Bound(parts[0], lower: false, errors);
        if (!errors.IsEmpty) return null;
        if (start is { } s && end is { } e && e <= s) { errors.Add("datetime", "the end is before the start."); return null; }
        // The feature's time is [a0, a1): from its start field to the end of its end field, or of its start without one.
        // A start–end feature with an end but no start (a hotspot whose first observation is unknown) has an interval
        // open towards the past: it was there on its end day and may have been long before. It used to match nothing,
        // not even datetime=0001-01-01/.. (A missing end keeps meaning the start day: see FeatureJson's mx_t1.)
        var (a0, startHi) = CqlSql.Interval(layer.Find(time.Start)!);
        var a1 = startHi;
        var known = $"{a0} IS NOT NULL";
        if (time.End is { } endField)
        {
            a1 = $"coalesce({CqlSql.Interval(layer.Find(endField)!).Hi}, {startHi})";
            a0 = $"coalesce({a0}, '-infinity'::timestamptz)";
            known = $"({time.Start} IS NOT NULL OR {endField} IS NOT NULL)";
        }
        return ps =>
        {
            var clauses = new List<string>();
            if (end is { } hi) { ps.Add(new NpgsqlParameter { Value = hi, NpgsqlDbType = NpgsqlDbType.TimestampTz }); clauses.Add($"{a0} < ${ps.Count}"); }
            if (start is { } lo) { ps.Add(new NpgsqlParameter { Value = lo, NpgsqlDbType = NpgsqlDbType.TimestampTz }); clauses.Add($"{a1} > ${ps.Count}"); }
            clauses.Add(known);
            return "(" + string.Join(" AND ", clauses) + ")";
        };
    }

    /// <summary>
    /// A bound of a half-open interval: a date is [d, d+1 day), an instant [t, t+1 µs); null when open, which an end
    /// at the end of time (9999-12-31, a common way of writing "no end") also is.
    /// </summary>
    private static DateTime? Bound(string text, bool lower, ValidationErrors errors)
    {
        if (text is "" or "..") return null;
        // GDAL's OAPIF driver writes a date compared in -where as the date with an empty time part (2024-06-01T/..):
        // that is the day, as the date alone would be.
        if (text.Length == 11 && text[10] is 'T' or 't') text = text[..10];
        if (Rfc3339.TryParseDate(text, out var d))
        {
            var midnight = d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            return lower ? midnight : CqlSql.After(midnight, TimeSpan.FromDays(1));
        }
        if (Rfc3339.TryParseDateTime(text, out var t))
            return lower ? t : CqlSql.After(t, TimeSpan.FromTicks(10));
        // A '+' not percent-encoded arrives as a space: the offset then looks missing.
        errors.Add("datetime", $"'{Shorten(text)}' is not an RFC 3339 date ({Rfc3339.DateExample}) or date-time with Z or an offset " +
                               $"({Rfc3339.DateTimeExample}, the + written %2B in a URL).");
        return null;
    }

    private static Func<NpgsqlParameterCollection, string>? ReadFilter(
        string text, string language, Queryables queryables, OgcCrs filterCrs, ValidationErrors errors)
    {
        CqlNode node;
        try
        {
            node = language switch
            {
                "" or "cql2-text" => CqlTextParser.Parse(text),
                "cql2-json" => CqlJsonReader.Parse(text),
                _ => throw new CqlException($"filter-lang '{Shorten(language)}' is not supported; use cql2-text or cql2-json", "filter-lang"),
            };
            CqlSql.Compile(node, queryables, filterCrs, new NpgsqlCommand().Parameters); // type errors are found now, not mid-response
        }
        catch (CqlException e)
        {
            errors.Add("filter", $"{e.Message} (at {e.At}).");
            return null;
        }
        return ps => CqlSql.Compile(node, queryables, filterCrs, ps);
    }

    private static string ReadSortBy(LayerDefinition layer, string text, Queryables queryables, ValidationErrors errors)
    {
        if (text.Length == 0) return $" ORDER BY {layer.OrderBy}, id";
        var keys = new List<string>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var descending = raw.StartsWith('-');
            var name = raw.TrimStart('+', '-', ' ');
            // PostgreSQL sorts NULLs as larger than every value, so DESC alone would put the unknowns (below-detection
            // samples without a value) at the top of a "highest first" list: missing values go last either way. A column
            // that cannot be null is sorted DESC alone, which is the same order and lets an ascending index be read
            // backwards (sortby=-updated_at, migration 0150); with NULLS LAST the planner sorted the whole table.
            if (queryables.Find(name) is { IsGeometry: false } q) keys.Add(q.Column + (descending ? q.Nullable ? " DESC NULLS LAST" : " DESC" : " ASC"));
            else errors.Add("sortby", $"'{Shorten(name)}' is not a sortable property; use [+|-]name with one of: " +
                                      string.Join(", ", queryables.All.Where(x => !x.IsGeometry).Select(x => x.Name)) +
                                      $" (/ogc/collections/{layer.Name}/sortables).");
        }
        return " ORDER BY " + string.Join(", ", keys.Append("id"));
    }

    private static HashSet<string>? ReadProperties(LayerDefinition layer, string text, bool present, ValidationErrors errors)
    {
        if (text.Length == 0 && !present) return null;
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        // Part 1 has no properties parameter, and its drafts and servers differ on an empty one (every property, or
        // none but id and geometry): it was every property here. Refused, it cannot be taken the other way.
        if (names.Count == 0)
        {
            errors.Add("properties", "names no property; list the ones wanted (properties=name,status) or leave properties out for all of them.");
            return null;
        }
        foreach (var name in names)
            if (layer.Find(name) is null && !MetadataProperties.Contains(name))
                errors.Add("properties", $"'{Shorten(name)}' is not a property of {layer.Name}; known: " +
                                         string.Join(", ", layer.Fields.Select(f => f.Name).Concat(MetadataProperties)) + ".");
        return names;
    }

    /// <summary><c>f=</c> wins over Accept (with its q-values); GeoJSON when neither chooses.</summary>
    private static OutputFormat ReadFormat(LayerDefinition layer, HttpRequest request, IQueryCollection query, bool oneFeature, ValidationErrors errors)
    {
        if (query["f"] is { Count: > 0 } f)
        {
            switch (f.ToString().ToLowerInvariant())
            {
                case "json" or "geojson": return OutputFormat.GeoJson;
                case "csv": return OutputFormat.Csv;
                case "ndjson" or "geojsonl" or "jsonl": return OutputFormat.NdJson;
                case "geojsonseq" or "json-seq": return OutputFormat.GeoJsonSeq;
                default:
                    errors.Add("f", $"'{Shorten(f.ToString())}' is not a format here; use json (GeoJSON), csv, ndjson or geojsonseq.");
                    return OutputFormat.GeoJson;
            }
        }
        // A feature is GeoJSON only: Accept choosing CSV for it got GeoJSON, and its 406 listed formats it never serves.
        var offers = oneFeature ? Offers[..2] : Offers;
        if (ContentNegotiation.Choose(request, offers) is { } chosen) return chosen;
        // Accept naming nothing offered (text/html) gets the default; one refusing it, and taking nothing else, a 406.
        if (ContentNegotiation.Refuses(request, FeatureJson.ContentType))
            errors.Add(NotAcceptable, oneFeature
                ? $"refuses GeoJSON ({FeatureJson.ContentType}), the one format of a single feature; for CSV or NDJSON ask for " +
                  $"/ogc/collections/{layer.Name}/items?id={{featureId}}&f=csv or f=ndjson."
                : $"refuses GeoJSON and accepts none of the other formats: {string.Join(", ", Offers.Select(o => o.Item1).Distinct())} (or f=json, csv, ndjson, geojsonseq).");
        return OutputFormat.GeoJson;
    }

    /// <summary>The values of <c>f=</c>, the default first, as the OpenAPI document lists them.</summary>
    public static readonly string[] Formats = ["json", "csv", "ndjson", "geojsonseq"];

    /// <summary>The error key of an Accept that takes none of the formats: the answer is a 406, not a 400.</summary>
    public const string NotAcceptable = "Accept";

    /// <summary>What Accept may choose, in the order a tie is settled: GeoJSON first, as the default.</summary>
    private static readonly (string, OutputFormat)[] Offers =
    [
        (FeatureJson.ContentType, OutputFormat.GeoJson), ("application/json", OutputFormat.GeoJson), ("text/csv", OutputFormat.Csv),
        ("application/x-ndjson", OutputFormat.NdJson), ("application/geo+json-seq", OutputFormat.GeoJsonSeq),
    ];

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
