using System.Globalization;
using NapGeo.Layers;
using Npgsql;
using NpgsqlTypes;

namespace NapGeo.Features.Cql2;

/// <summary>
/// Compiles a CQL2 tree into a SQL predicate. Identifiers come only from the layer's queryables; every literal becomes
/// a positional parameter added to the command, so no text of the request reaches the SQL.
/// </summary>
public sealed class CqlSql
{
    private enum ValueType { Text, Number, Boolean, Date, Timestamp, Uuid, Geometry }

    private sealed record Operand(string Sql, ValueType Type);

    private readonly Queryables _queryables;
    private readonly OgcCrs _filterCrs;
    private readonly NpgsqlParameterCollection _parameters;

    /// <summary>The vertices each projected geometry literal may be densified to: all of them share a budget.</summary>
    private readonly int _maxVertices;

    private CqlSql(Queryables queryables, OgcCrs filterCrs, NpgsqlParameterCollection parameters, int maxVertices)
    {
        _queryables = queryables;
        _filterCrs = filterCrs;
        _parameters = parameters;
        _maxVertices = maxVertices;
    }

    /// <param name="filterCrs">The CRS of geometry literals (filter-crs; CRS84 by default).</param>
    public static string Compile(CqlNode filter, Queryables queryables, OgcCrs filterCrs, NpgsqlParameterCollection parameters) =>
        new CqlSql(queryables, filterCrs, parameters,
            Math.Max(MinVerticesPerGeometry, ProjectedDomain.MaxVertices * 2 / Math.Max(1, GeometryLiterals(filter)))).Predicate(filter);

    // A hundred huge projected boxes in one filter were 600 000 vertices: seconds of PostGIS time for a 6 kB request.
    private const int MinVerticesPerGeometry = 100;

    private static int GeometryLiterals(CqlNode node) => node switch
    {
        CqlAnd and => and.Args.Sum(GeometryLiterals),
        CqlOr or => or.Args.Sum(GeometryLiterals),
        CqlNot not => GeometryLiterals(not.Arg),
        CqlFunction f => f.Args.Sum(GeometryLiterals),
        CqlGeometry => 1,
        _ => 0,
    };

    private string Predicate(CqlNode node) => node switch
    {
        CqlAnd and => "(" + string.Join(" AND ", and.Args.Select(Predicate)) + ")",
        CqlOr or => "(" + string.Join(" OR ", or.Args.Select(Predicate)) + ")",
        CqlNot not => $"(NOT {Predicate(not.Arg)})",
        CqlCompare c => Compare(c),
        CqlLike like => Like(like),
        CqlBetween between => Between(between),
        CqlIn @in => In(@in),
        CqlIsNull isNull => $"({Value(isNull.Value, null).Sql} IS NULL)",
        CqlFunction f when CqlFunctions.Spatial.TryGetValue(f.Name, out var st) => Spatial(f, st),
        CqlFunction f when CqlFunctions.Temporal.TryGetValue(f.Name, out var pattern) => Temporal(f, pattern),
        CqlLiteral { Value: bool b } => b ? "TRUE" : "FALSE",
        // CQL2 has no bare property as a condition, in text (booleanPrimary) or JSON (the schema's booleanExpression):
        // cql2-text took one and cql2-json did not; both now say how to write it.
        CqlProperty p => Value(p, null) is { Type: ValueType.Boolean }
            ? throw new CqlException($"a property is not a condition in CQL2; compare it: {Shorten(p.Name)} = TRUE", p.At)
            : throw new CqlException($"'{Shorten(p.Name)}' is a property, not a condition; compare it with a value (=, <, LIKE, IS NULL, …)", p.At),
        _ => throw new CqlException("this is a value, not a condition", node.At),
    };

    private string Compare(CqlCompare c)
    {
        var (left, right) = Pair(c.Left, c.Right);
        if (left.Type == ValueType.Geometry) throw new CqlException("geometries are compared with S_EQUALS, S_INTERSECTS, …, not " + c.Op, c.At);
        return $"({left.Sql} {c.Op} {right.Sql})";
    }

    private string Like(CqlLike like)
    {
        var value = Value(like.Value, ValueType.Text);
        if (value.Type != ValueType.Text) throw new CqlException("LIKE applies to text properties", like.At);
        // CQL2's pattern is a text literal (patternExpression), and PostgreSQL's LIKE reads a backslash as the escape of
        // the next character: checked here, a pattern PostgreSQL would refuse mid-query is a 400 naming its place.
        if (like.Pattern is CqlProperty)
            throw new CqlException("the pattern of LIKE must be a text literal ('abc%'), not a property", like.Pattern.At);
        if (like.Pattern is CqlLiteral { Value: string text } && (text.Length - text.TrimEnd('\\').Length) % 2 == 1)
            throw new CqlException("the LIKE pattern ends with the escape character \\; write \\\\ for a backslash itself", like.Pattern.At);
        var pattern = Value(like.Pattern, ValueType.Text);
        return $"({value.Sql} LIKE {pattern.Sql})";
    }

    private string Between(CqlBetween between)
    {
        var value = Value(between.Value, null);
        if (value.Type is ValueType.Geometry or ValueType.Boolean) throw new CqlException("BETWEEN applies to numbers, text and dates", between.At);
        return $"({value.Sql} BETWEEN {Value(between.Low, value.Type).Sql} AND {Value(between.High, value.Type).Sql})";
    }

    private string In(CqlIn @in)
    {
        var value = Value(@in.Value, null);
        if (value.Type == ValueType.Geometry) throw new CqlException("IN does not apply to geometries", @in.At);
        return $"({value.Sql} IN ({string.Join(", ", @in.List.Select(v => Value(v, value.Type).Sql))}))";
    }

    /// <summary>Types the side that is a property first, so the literal on the other side is read as that type.</summary>
    private (Operand Left, Operand Right) Pair(CqlNode left, CqlNode right)
    {
        if (left is not CqlProperty && right is CqlProperty)
        {
            var r = Value(right, null);
            return (Value(left, r.Type), r);
        }
        var l = Value(left, null);
        return (l, Value(right, l.Type));
    }

    private Operand Value(CqlNode node, ValueType? expected)
    {
        switch (node)
        {
            case CqlProperty property:
                var q = _queryables.Find(property.Name)
                    ?? throw new CqlException($"'{Shorten(property.Name)}' is not a queryable property; queryables: {string.Join(", ", _queryables.Names)}", property.At);
                var type = q.IsGeometry ? ValueType.Geometry : TypeOf(q.Kind);
                if (expected is { } e && !Compatible(type, e))
                    throw new CqlException($"'{q.Name}' is a {Describe(type)}, but a {Describe(e)} is expected here", property.At);
                return new Operand(q.Column, type);
            case CqlLiteral { Value: string text }:
                return StringLiteral(text, expected ?? ValueType.Text, node.At);
            case CqlLiteral { Value: double number }:
                if (expected is not (null or ValueType.Number)) throw new CqlException($"{number.ToString(CultureInfo.InvariantCulture)} is a number, but a {Describe(expected.Value)} is expected here", node.At);
                return Parameter(number, NpgsqlDbType.Double, ValueType.Number);
            case CqlLiteral { Value: bool flag }:
                if (expected is not (null or ValueType.Boolean)) throw new CqlException($"{flag} is a boolean, but a {Describe(expected.Value)} is expected here", node.At);
                return Parameter(flag, NpgsqlDbType.Boolean, ValueType.Boolean);
            case CqlTime time:
                var (lo, _) = Instant(time);
                return (time.IsDate, expected) switch
                {
                    (true, null or ValueType.Date) => Parameter(DateOnly.FromDateTime(lo), NpgsqlDbType.Date, ValueType.Date),
                    (false, null or ValueType.Timestamp) => Parameter(lo, NpgsqlDbType.TimestampTz, ValueType.Timestamp),
                    (false, ValueType.Date) => throw new CqlException("a date property is compared with DATE('YYYY-MM-DD'), not a TIMESTAMP", node.At),
                    // A day is not an instant: comparing with its midnight would silently miss the rest of the day.
                    (true, ValueType.Timestamp) => throw new CqlException(
                        "a timestamp property is compared with TIMESTAMP('…'); for a whole day use T_INTERSECTS(property, DATE('YYYY-MM-DD'))", node.At),
                    _ => throw new CqlException($"{(time.IsDate ? "a DATE" : "a TIMESTAMP")} is not a {Describe(expected!.Value)}", node.At),
                };
            case CqlGeometry geometry:
                if (expected is not (null or ValueType.Geometry)) throw new CqlException($"a geometry is not a {Describe(expected.Value)}", node.At);
                return GeometryParameter(geometry);
            case CqlInterval:
                throw new CqlException("an INTERVAL is only allowed in a temporal function (T_INTERSECTS, T_DURING, …)", node.At);
            default:
                throw new CqlException("a condition is not allowed where a value is expected", node.At);
        }
    }

    private Operand StringLiteral(string text, ValueType expected, string at)
    {
        // PostgreSQL's text cannot hold U+0000: bound, it fails the whole query with "invalid byte sequence".
        if (text.Contains('\0')) throw new CqlException("a string may not contain the NUL character (U+0000)", at);
        switch (expected)
        {
            // Stored text is composed (LayerSql.Composed): a literal typed with combining accents must still match it.
            case ValueType.Text: return new Operand(LayerSql.Composed(Add(text, NpgsqlDbType.Text)), ValueType.Text);
            case ValueType.Uuid when Guid.TryParse(text, out var id): return Parameter(id, NpgsqlDbType.Uuid, ValueType.Uuid);
            case ValueType.Date when Rfc3339.TryParseDate(text, out var d):
                return Parameter(d, NpgsqlDbType.Date, ValueType.Date);
            case ValueType.Timestamp when Rfc3339.TryParseDate(text, out _):
                throw new CqlException($"'{text}' is a day, not an instant; for a whole day use T_INTERSECTS(property, DATE('{text}'))", at);
            case ValueType.Timestamp when Rfc3339.TryParseDateTime(text, out var t): return Parameter(t, NpgsqlDbType.TimestampTz, ValueType.Timestamp);
            case ValueType.Timestamp: throw new CqlException(NotATimestamp(text), at);
            default: throw new CqlException($"'{Shorten(text)}' is not a valid {Describe(expected)}", at);
        }
    }

    private Operand GeometryParameter(CqlGeometry literal)
    {
        // Only longitudes wrap: latitude in EPSG:4326 by URI (the first axis), or any axis of a projected filter-crs,
        // with its minimum above its maximum is a mistake.
        if (literal.WrappedAxis is { } axis && !(_filterCrs.IsGeographic && axis == (_filterCrs.LatLonOrder ? 1 : 0)))
            throw new CqlException(CqlGeometries.MinimumExceedsMaximum + (_filterCrs.IsGeographic
                ? $" (only longitude, the {(_filterCrs.LatLonOrder ? "second" : "first")} axis in {_filterCrs.Uri}, may cross the antimeridian)"
                : $" ({_filterCrs.Uri}, the filter-crs, is projected: a box across the antimeridian is given in CRS84)"), literal.At);
        if (_filterCrs.Domain is not { } domain)
        {
            var geometry = literal.Geometry.Copy();
            geometry.SRID = _filterCrs.Srid;
            return new Operand(_filterCrs.GeographicToLonLatSql(Add(geometry, null)), ValueType.Geometry);
        }
        // Only the part within the projection's domain can be taken to lon/lat (see ProjectedDomain).
        IReadOnlyList<ProjectedDomain.Piece> pieces;
        // Coordinates of ~1e154 and beyond overflow the overlay's arithmetic (products of two coordinates): NTS then
        // finds no consistent noding and throws, which was a 500.
        try { pieces = domain.Clip(literal.Geometry); }
        catch (NetTopologySuite.Geometries.TopologyException)
        {
            throw new CqlException($"the geometry's coordinates are too large to cut to the area {_filterCrs.Uri} (filter-crs) covers ({domain.Description})", literal.At);
        }
        if (pieces.Count == 0)
            throw new CqlException($"the geometry lies wholly outside the area {_filterCrs.Uri} (filter-crs) covers ({domain.Description})", literal.At);
        return new Operand(domain.ToLonLatSql(pieces, Add, Math.Min(_maxVertices, ProjectedDomain.MaxVertices)), ValueType.Geometry);
    }

    private string Spatial(CqlFunction f, string function)
    {
        if (f.Args.Count != 2) throw new CqlException($"{f.Name} takes two geometries", f.At);
        var a = Value(f.Args[0], ValueType.Geometry);
        var b = Value(f.Args[1], ValueType.Geometry);
        return $"{function}({a.Sql}, {b.Sql})";
    }

    private string Temporal(CqlFunction f, string pattern)
    {
        if (f.Args.Count != 2) throw new CqlException($"{f.Name} takes two temporal values", f.At);
        var (a0, a1, aEnd) = Interval(f.Args[0]);
        var (b0, b1, bEnd) = Interval(f.Args[1]);
        if (CqlFunctions.IntervalsOnly.Contains(f.Name) && f.Args.Select((arg, i) => (arg, i)).FirstOrDefault(a => a.arg is not CqlInterval) is { arg: { } instant } at)
            throw new CqlException($"{f.Name} compares intervals only (CQL2), and its {(at.i == 0 ? "first" : "second")} argument, {InstantName(instant)}, " +
                                   "is an instant; for an instant use T_INTERSECTS (or T_BEFORE, T_AFTER, T_EQUALS, T_DISJOINT), which take instants and intervals",
                                   instant.At);
        return string.Format(CultureInfo.InvariantCulture, pattern, a0, a1, b0, b1, aEnd, bEnd);
    }

    private string InstantName(CqlNode node) => node switch
    {
        CqlProperty p => $"'{Shorten(p.Name)}' (a {(Value(p, null).Type == ValueType.Date ? "date" : "timestamp")} property)",
        CqlTime t => $"{(t.IsDate ? "DATE" : "TIMESTAMP")}('{Shorten(t.Text)}')",
        CqlLiteral { Value: string text } => $"'{Shorten(text)}'",
        _ => "a single date or time",
    };

    private const string OpenEnd = "'infinity'::timestamptz";

    /// <summary>
    /// The half-open interval [lo, hi) a temporal operand covers, and its closed end (the last date or instant it names),
    /// as timestamptz SQL expressions.
    /// </summary>
    private (string Lo, string Hi, string End) Interval(CqlNode node)
    {
        switch (node)
        {
            case CqlProperty property:
                var operand = Value(property, null);
                return operand.Type switch
                {
                    ValueType.Date => TimeBounds(FieldKind.Date, operand.Sql),
                    ValueType.Timestamp => TimeBounds(FieldKind.Timestamp, operand.Sql),
                    _ => throw new CqlException($"'{property.Name}' is not a date or time property", node.At),
                };
            case CqlTime time:
                var (lo, hi) = Instant(time);
                var start = Add(lo, NpgsqlDbType.TimestampTz);
                return (start, hi is { } end ? Add(end, NpgsqlDbType.TimestampTz) : OpenEnd, start);
            case CqlLiteral { Value: string text }:
                return Interval(new CqlTime(node.At, text.Length == 10, text));
            case CqlInterval interval:
                // CQL2's interval ends are instants, '..' or properties: an INTERVAL inside one had its own start or end
                // taken, silently.
                if (interval.Start is CqlInterval || interval.End is CqlInterval)
                    throw new CqlException("an INTERVAL's start and end are dates, timestamps, '..' or properties, not another INTERVAL",
                        (interval.Start as CqlInterval ?? (CqlInterval)interval.End).At);
                if (LiteralBounds(interval.Start) is { } first && LiteralBounds(interval.End) is { } second && (second.Hi ?? DateTime.MaxValue) <= first.Lo)
                    throw new CqlException("the INTERVAL's end is before its start", interval.At);
                var from = interval.Start is CqlLiteral { Value: ".." } ? "'-infinity'::timestamptz" : Interval(interval.Start).Lo;
                var (_, to, last) = interval.End is CqlLiteral { Value: ".." } ? (OpenEnd, OpenEnd, OpenEnd) : Interval(interval.End);
                return (from, to, last);
            default:
                throw new CqlException("expected a date or time property, DATE(…), TIMESTAMP(…) or INTERVAL(…)", node.At);
        }
    }

    /// <summary>The day or instant a literal interval end names; null for '..', a property or anything else.</summary>
    private static (DateTime Lo, DateTime? Hi)? LiteralBounds(CqlNode node) => node switch
    {
        CqlTime time => Instant(time),
        CqlLiteral { Value: string text } when text != ".." => Instant(new CqlTime(node.At, text.Length == 10, text)),
        _ => null,
    };

    /// <summary>The interval a date or timestamp field covers, as timestamptz SQL: see <see cref="TimeBounds"/>.</summary>
    public static (string Lo, string Hi) Interval(Field field)
    {
        var (lo, hi, _) = TimeBounds(field.Kind, field.Name);
        return (lo, hi);
    }

    /// <summary>A date column is the day [d, d+1) in UTC, ending on d; a timestamp column the instant [t, t+1 µs), ending at t.</summary>
    private static (string Lo, string Hi, string End) TimeBounds(FieldKind kind, string column) => kind switch
    {
        FieldKind.Date => ($"({column}::timestamp AT TIME ZONE 'UTC')", $"(({column} + 1)::timestamp AT TIME ZONE 'UTC')", $"({column}::timestamp AT TIME ZONE 'UTC')"),
        FieldKind.Timestamp => (column, $"({column} + interval '1 microsecond')", column),
        _ => throw new InvalidOperationException($"{column} is not a date or timestamp"),
    };

    /// <summary>A date is the day [d, d+1); a timestamp the instant [t, t+1 µs). Hi is null past the end of time.</summary>
    private static (DateTime Lo, DateTime? Hi) Instant(CqlTime time)
    {
        if (time.IsDate)
        {
            if (!Rfc3339.TryParseDate(time.Text, out var d))
                throw new CqlException($"'{Shorten(time.Text)}' is not a date written YYYY-MM-DD (RFC 3339 full-date, e.g. {Rfc3339.DateExample})", time.At);
            var midnight = d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            return (midnight, After(midnight, TimeSpan.FromDays(1)));
        }
        if (!Rfc3339.TryParseDateTime(time.Text, out var t)) throw new CqlException(NotATimestamp(time.Text), time.At);
        return (t, After(t, TimeSpan.FromTicks(10)));
    }

    private static string NotATimestamp(string text) =>
        $"'{Shorten(text)}' is not an RFC 3339 timestamp: the date, T, the time and Z or an offset (e.g. {Rfc3339.DateTimeExample})";

    /// <summary>
    /// The end of a day or instant that starts at <paramref name="start"/>; null when it would be after 9999-12-31, the
    /// last day DateTime holds. Clients write 9999-12-31 to mean "no end", so the interval is then open, not an error.
    /// </summary>
    public static DateTime? After(DateTime start, TimeSpan length) => start <= DateTime.MaxValue - length ? start + length : null;

    private Operand Parameter(object value, NpgsqlDbType type, ValueType valueType) => new(Add(value, type), valueType);

    private string Add(object value, NpgsqlDbType? type)
    {
        var parameter = new NpgsqlParameter { Value = value };
        if (type is { } t) parameter.NpgsqlDbType = t;
        _parameters.Add(parameter);
        return "$" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
    }

    private static ValueType TypeOf(FieldKind kind) => kind switch
    {
        FieldKind.Text => ValueType.Text,
        FieldKind.Integer or FieldKind.Number => ValueType.Number,
        FieldKind.Boolean => ValueType.Boolean,
        FieldKind.Date => ValueType.Date,
        FieldKind.Timestamp => ValueType.Timestamp,
        FieldKind.Uuid => ValueType.Uuid,
        _ => throw new InvalidOperationException($"Field kind {kind} is not queryable"),
    };

    private static bool Compatible(ValueType actual, ValueType expected) =>
        actual == expected || actual is ValueType.Date or ValueType.Timestamp && expected is ValueType.Date or ValueType.Timestamp;

    private static string Describe(ValueType type) => type switch
    {
        ValueType.Text => "text value",
        ValueType.Number => "number",
        ValueType.Boolean => "boolean",
        ValueType.Date => "date (DATE('YYYY-MM-DD'))",
        ValueType.Timestamp => "timestamp (TIMESTAMP('…'))",
        ValueType.Uuid => "UUID",
        _ => "geometry",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
