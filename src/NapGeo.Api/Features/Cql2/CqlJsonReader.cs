using System.Text.Json;
using NetTopologySuite.IO.Converters;

namespace NapGeo.Features.Cql2;

/// <summary>
/// Reads cql2-json (OGC 21-065) into the same tree as <see cref="CqlTextParser"/>. Errors name the JSON path of the
/// offending member, e.g. <c>args[1].args[0]</c>.
/// </summary>
public static class CqlJsonReader
{
    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory() } };

    private static readonly Dictionary<string, string> Comparisons = new(StringComparer.OrdinalIgnoreCase)
        { ["="] = "=", ["<>"] = "<>", ["<"] = "<", ["<="] = "<=", [">"] = ">", [">="] = ">=" };

    public static CqlNode Parse(string json)
    {
        if (json.Length > CqlTextParser.MaxLength)
            throw new CqlException($"the filter is {json.Length} characters long; the limit is {CqlTextParser.MaxLength}.", "$");
        JsonDocument document;
        // JsonDocument reads without recursing, so JSON depth needs no limit of its own (a filter's length bounds it);
        // CQL2 nesting is limited while the tree is built, as in cql2-text. A JSON limit of 2 × 40 refused 40 NOTs,
        // which cql2-text takes (each level is an object and its args array), with System.Text.Json's message.
        try { document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = CqlTextParser.MaxLength }); }
        catch (JsonException e) { throw new CqlException($"the filter is not valid JSON: {e.Message}", "$"); }
        using (document) return Expression(document.RootElement, "$", 0);
    }

    private static CqlNode Expression(JsonElement e, string path, int depth)
    {
        if (depth > CqlTextParser.MaxDepth) throw new CqlException($"the filter nests deeper than {CqlTextParser.MaxDepth} levels", path);
        if (e.ValueKind is JsonValueKind.True or JsonValueKind.False) return new CqlLiteral(path, e.GetBoolean());
        // Read as cql2-text reads a bare name, so both encodings refuse it with the same message (CqlSql).
        if (e.ValueKind == JsonValueKind.Object && !e.TryGetProperty("op", out _) && e.TryGetProperty("property", out var name) && name.ValueKind == JsonValueKind.String)
            return new CqlProperty(path, Text(name, path + ".property"));
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("op", out var opElement) || opElement.ValueKind != JsonValueKind.String)
            throw new CqlException("expected an object with \"op\" and \"args\"", path);
        // JsonElement keeps every member and TryGetProperty finds one of them: {"op":"=","op":"<>",…} was read as one
        // operator while another reader of the same filter may take the other.
        foreach (var key in (string[])["op", "args"])
            if (e.EnumerateObject().Count(member => member.NameEquals(key)) > 1)
                throw new CqlException($"\"{key}\" is given more than once", path);
        var op = Text(opElement, path + ".op");
        var args = Args(e, path);
        string ArgPath(int i) => $"{path}.args[{i}]";
        var upper = op.ToUpperInvariant();
        switch (upper)
        {
            case "AND" or "OR":
                if (args.Count < 2) throw new CqlException($"'{op}' needs at least two arguments", path);
                var list = args.Select((a, i) => Expression(a, ArgPath(i), depth + 1)).ToList();
                return upper == "AND" ? new CqlAnd(path, list) : new CqlOr(path, list);
            case "NOT":
                Arity(args, 1, op, path);
                return new CqlNot(path, Expression(args[0], ArgPath(0), depth + 1));
            case "LIKE":
                Arity(args, 2, op, path);
                return new CqlLike(path, Scalar(args[0], ArgPath(0), depth + 1), Scalar(args[1], ArgPath(1), depth + 1));
            case "BETWEEN":
                Arity(args, 3, op, path);
                return new CqlBetween(path, Scalar(args[0], ArgPath(0), depth + 1), Scalar(args[1], ArgPath(1), depth + 1), Scalar(args[2], ArgPath(2), depth + 1));
            case "IN":
                Arity(args, 2, op, path);
                if (args[1].ValueKind != JsonValueKind.Array) throw new CqlException("the second argument of 'in' must be an array", ArgPath(1));
                if (args[1].GetArrayLength() == 0) throw new CqlException("an IN list needs at least one value", ArgPath(1));
                if (args[1].GetArrayLength() > CqlTextParser.MaxListLength)
                    throw new CqlException($"an IN list may have at most {CqlTextParser.MaxListLength} values", ArgPath(1));
                return new CqlIn(path, Scalar(args[0], ArgPath(0), depth + 1),
                    args[1].EnumerateArray().Select((v, i) => Scalar(v, $"{ArgPath(1)}[{i}]", depth + 1)).ToList());
            case "ISNULL":
                Arity(args, 1, op, path);
                return new CqlIsNull(path, Scalar(args[0], ArgPath(0), depth + 1));
        }
        if (Comparisons.TryGetValue(op, out var comparison))
        {
            Arity(args, 2, op, path);
            return new CqlCompare(path, comparison, Scalar(args[0], ArgPath(0), depth + 1), Scalar(args[1], ArgPath(1), depth + 1));
        }
        if (CqlFunctions.IsKnown(upper))
            return new CqlFunction(path, upper, args.Select((a, i) => Scalar(a, ArgPath(i), depth + 1)).ToList());
        if (op is "+" or "-" or "*" or "/" or "%" or "^" or "div") throw new CqlException(CqlFunctions.NoArithmetic($"'{op}'"), path + ".op");
        throw new CqlException($"'{op}' is not an operator this server knows; use and, or, not, =, <>, <, <=, >, >=, like, between, in, isNull, " +
                               $"{CqlFunctions.SpatialList.ToLowerInvariant()}, {CqlFunctions.TemporalList.ToLowerInvariant()}", path + ".op");
    }

    /// <summary>
    /// A JSON string's text. An escaped lone surrogate ("\ud83d" without its pair) is valid JSON syntax but no Unicode
    /// text: GetString throws InvalidOperationException on it, which reached the client as a 500.
    /// </summary>
    private static string Text(JsonElement e, string path)
    {
        try { return e.GetString()!; }
        catch (InvalidOperationException) { throw new CqlException(LoneSurrogate, path); }
    }

    private const string LoneSurrogate = "the string is not Unicode text: it has an escaped lone surrogate (\\ud800–\\udfff without its pair)";

    private static List<JsonElement> Args(JsonElement e, string path)
    {
        if (!e.TryGetProperty("args", out var args) || args.ValueKind != JsonValueKind.Array)
            throw new CqlException("\"args\" must be an array", path);
        return args.EnumerateArray().ToList();
    }

    private static void Arity(List<JsonElement> args, int count, string op, string path)
    {
        if (args.Count != count) throw new CqlException($"'{op}' takes {count} argument{(count == 1 ? "" : "s")}, not {args.Count}", path);
    }

    private static CqlNode Scalar(JsonElement e, string path, int depth)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                var text = Text(e, path);
                if (text.Length > CqlTextParser.MaxStringLength)
                    throw new CqlException($"the string is longer than {CqlTextParser.MaxStringLength} characters", path);
                return new CqlLiteral(path, text);
            case JsonValueKind.Number:
                if (!e.TryGetDouble(out var number) || !double.IsFinite(number)) throw new CqlException($"{e.GetRawText()[..Math.Min(20, e.GetRawText().Length)]} is not a finite number", path);
                return new CqlLiteral(path, number);
            case JsonValueKind.True or JsonValueKind.False:
                return new CqlLiteral(path, e.GetBoolean());
            case JsonValueKind.Object:
                return ObjectScalar(e, path, depth);
            default:
                throw new CqlException($"a {e.ValueKind.ToString().ToLowerInvariant()} is not a value here", path);
        }
    }

    private static CqlNode ObjectScalar(JsonElement e, string path, int depth)
    {
        if (e.TryGetProperty("property", out var property) && property.ValueKind == JsonValueKind.String)
            return new CqlProperty(path, Text(property, path + ".property"));
        if (e.TryGetProperty("date", out var date) && date.ValueKind == JsonValueKind.String)
            return new CqlTime(path, true, Text(date, path + ".date"));
        if (e.TryGetProperty("timestamp", out var timestamp) && timestamp.ValueKind == JsonValueKind.String)
            return new CqlTime(path, false, Text(timestamp, path + ".timestamp"));
        if (e.TryGetProperty("interval", out var interval))
        {
            if (interval.ValueKind != JsonValueKind.Array || interval.GetArrayLength() != 2)
                throw new CqlException("\"interval\" must be an array of two instants", path);
            if (depth + 1 > CqlTextParser.MaxDepth) throw new CqlException($"the filter nests deeper than {CqlTextParser.MaxDepth} levels", path);
            return new CqlInterval(path, Scalar(interval[0], path + ".interval[0]", depth + 1), Scalar(interval[1], path + ".interval[1]", depth + 1));
        }
        // A CQL2 bbox literal is {"bbox": […]} alone; a GeoJSON geometry may carry a bbox member too (RFC 7946 §5), and
        // is then still its coordinates, not that rectangle: an object with a "type" is read as GeoJSON below.
        if (!e.TryGetProperty("type", out _) && e.TryGetProperty("bbox", out var bbox))
        {
            var n = bbox.ValueKind == JsonValueKind.Array ? bbox.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN).ToList() : [];
            if (n.Count is not (4 or 6) || n.Any(v => !double.IsFinite(v))) throw new CqlException("\"bbox\" must be 4 or 6 numbers", path);
            var half = n.Count / 2;
            return CqlGeometries.Box(n[0], n[1], n[half], n[half + 1], path);
        }
        // Arguments are a level deeper than their operator (the caller counted it): read from depth 0 again, as they were,
        // {"op":…} inside {"op":…} recursed without limit.
        if (e.TryGetProperty("op", out _)) return Expression(e, path, depth);
        // A GeometryCollection has its members in "geometries", not "coordinates" (RFC 7946 §3.1.8).
        if (e.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String &&
            (e.TryGetProperty("coordinates", out _) || e.TryGetProperty("geometries", out _)))
        {
            try
            {
                var geometry = e.Deserialize<NetTopologySuite.Geometries.Geometry>(GeoJson);
                if (geometry is null) throw new CqlException("the geometry is empty", path);
                return new CqlGeometry(path, CqlGeometries.Checked(geometry, path));
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException or NotSupportedException or InvalidOperationException or FormatException)
            {
                throw new CqlException($"the geometry is not valid GeoJSON: {ex.Message}", path);
            }
        }
        throw new CqlException("expected {\"property\": …}, {\"date\": …}, {\"timestamp\": …}, {\"interval\": […]}, {\"bbox\": […]} or a GeoJSON geometry", path);
    }
}
