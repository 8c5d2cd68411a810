using System.Globalization;
using NetTopologySuite.IO;

namespace NapGeo.Features.Cql2;

/// <summary>
/// A recursive-descent parser for cql2-text (OGC 21-065): boolean logic, comparisons, LIKE, BETWEEN, IN, IS NULL,
/// spatial and temporal functions, with WKT and BBOX(…) geometry literals and DATE/TIMESTAMP/INTERVAL time literals.
/// Arithmetic and custom functions are not supported. Errors carry the 1-based character position.
/// </summary>
public sealed partial class CqlTextParser
{
    public const int MaxLength = 16_000;
    public const int MaxDepth = 40;
    public const int MaxStringLength = 1_000;
    public const int MaxListLength = 1_000;

    private static readonly HashSet<string> WktTypes =
        ["POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"];
    private static readonly HashSet<string> Reserved =
        ["AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE"];

    private readonly string _text;
    private int _pos;
    private int _depth;
    private bool _backslashQuotes = true;

    private CqlTextParser(string text) => _text = text;

    public static CqlNode Parse(string text)
    {
        if (text.Length > MaxLength) throw new CqlException($"the filter is {text.Length} characters long; the limit is {MaxLength}.", "position 1");
        try { return new CqlTextParser(text).ParseAll(); }
        // CQL2's escapeQuote is '' or \', yet a backslash is also a character of its own: 'C:\' or a LIKE pattern ending
        // in \ never closed. The grammar allows both readings; when the escape reading is no filter, the other is tried.
        catch (CqlException) when (text.Contains("\\'"))
        {
            try { return new CqlTextParser(text) { _backslashQuotes = false }.ParseAll(); }
            catch (CqlException) { }
            throw;
        }
    }

    private CqlNode ParseAll()
    {
        var node = ParseOr();
        SkipSpace();
        if (_pos < _text.Length) throw Error($"unexpected '{Snippet()}'; expected AND, OR or the end of the filter");
        return node;
    }

    private string Here => $"position {_pos + 1}";

    private CqlException Error(string message, int? at = null) => new(message, $"position {(at ?? _pos) + 1}");

    private string Snippet()
    {
        var rest = _text[_pos..];
        return rest.Length <= 20 ? rest : rest[..20] + "…";
    }

    private CqlNode ParseOr()
    {
        var at = Here;
        var first = ParseAnd();
        if (!PeekKeyword("OR")) return first;
        var args = new List<CqlNode> { first };
        while (TryKeyword("OR")) args.Add(ParseAnd());
        return new CqlOr(at, args);
    }

    private CqlNode ParseAnd()
    {
        var at = Here;
        var first = ParseNot();
        if (!PeekKeyword("AND")) return first;
        var args = new List<CqlNode> { first };
        while (TryKeyword("AND")) args.Add(ParseNot());
        return new CqlAnd(at, args);
    }

    private CqlNode ParseNot()
    {
        SkipSpace();
        var at = Here;
        if (TryKeyword("NOT")) return new CqlNot(at, Nested(ParseNot));
        return ParsePrimary();
    }

    private CqlNode Nested(Func<CqlNode> parse)
    {
        if (++_depth > MaxDepth) throw Error($"the filter nests deeper than {MaxDepth} levels");
        try { return parse(); }
        finally { _depth--; }
    }

    private CqlNode ParsePrimary()
    {
        SkipSpace();
        if (TrySymbol("("))
        {
            var open = _pos - 1;
            var inner = Nested(ParseOr);
            Expect(")");
            // (miners_total) > 5 is CQL2's arithmetic grammar; it used to be "unexpected '> 5'", as if the filter ended early.
            if (inner is CqlProperty or CqlLiteral or CqlFunction && FollowedByOperator())
                throw Error(CqlFunctions.NoArithmetic("a value in parentheses"), open);
            return inner;
        }
        var at = Here;
        var left = ParseScalar();
        SkipSpace();
        var opAt = _pos;
        if (TryComparison() is { } op) return new CqlCompare(at, op, left, ParseScalar());
        var negated = TryKeyword("NOT");
        if (TryKeyword("LIKE")) return Negate(negated, new CqlLike(at, left, ParseScalar()));
        if (TryKeyword("BETWEEN"))
        {
            var low = ParseScalar();
            ExpectKeyword("AND");
            return Negate(negated, new CqlBetween(at, left, low, ParseScalar()));
        }
        if (TryKeyword("IN"))
        {
            Expect("(");
            var list = new List<CqlNode> { ParseScalar() };
            while (TrySymbol(","))
            {
                if (list.Count >= MaxListLength) throw Error($"an IN list may have at most {MaxListLength} values");
                list.Add(ParseScalar());
            }
            Expect(")");
            return Negate(negated, new CqlIn(at, left, list));
        }
        if (negated) throw Error("expected LIKE, BETWEEN or IN after NOT");
        if (TryKeyword("IS"))
        {
            var not = TryKeyword("NOT");
            ExpectKeyword("NULL");
            return Negate(not, new CqlIsNull(at, left));
        }
        // A predicate function, a boolean literal or a boolean property stands on its own.
        if (left is CqlFunction or CqlLiteral { Value: bool } or CqlProperty) return left;
        throw Error(_pos < _text.Length ? $"expected a comparison, LIKE, BETWEEN, IN or IS NULL, not '{Snippet()}'" : "the filter ends too early", opAt);
    }

    private static CqlNode Negate(bool negated, CqlNode node) => negated ? new CqlNot(node.At, node) : node;

    /// <summary>
    /// A value, not followed by arithmetic: miners_women * 2 > miners_total used to be refused as "unexpected '* 2 …';
    /// expected AND, OR or the end of the filter", which sent users looking for a syntax error.
    /// </summary>
    private CqlNode ParseScalar()
    {
        var value = ParseValue();
        SkipSpace();
        if (ArithmeticOperator() is { } op) throw Error(CqlFunctions.NoArithmetic($"'{op}'"));
        return value;
    }

    /// <summary>The arithmetic operator of CQL2 at the current position, if any.</summary>
    private string? ArithmeticOperator() =>
        _pos < _text.Length && _text[_pos] is '+' or '-' or '*' or '/' or '%' or '^' ? _text[_pos].ToString()
        : PeekKeyword("DIV") ? "div" : null;

    private bool FollowedByOperator()
    {
        SkipSpace();
        var save = _pos;
        var comparison = TryComparison() is not null;
        _pos = save;
        return comparison || ArithmeticOperator() is not null || ((string[])["LIKE", "BETWEEN", "IN", "IS", "NOT"]).Any(PeekKeyword);
    }

    private CqlNode ParseValue()
    {
        SkipSpace();
        var start = _pos;
        var at = Here;
        if (_pos >= _text.Length) throw Error("the filter ends where a value was expected");
        var c = _text[_pos];
        // A sign before anything but a number (-miners_total), or a parenthesized value, is arithmetic too.
        if (c is '-' or '+' && _pos + 1 < _text.Length && (char.IsAsciiLetter(_text[_pos + 1]) || _text[_pos + 1] is '"' or '(' or '_'))
            throw Error(CqlFunctions.NoArithmetic($"'{c}'"));
        if (c == '(') throw Error(CqlFunctions.NoArithmetic("a value in parentheses"));
        if (c == '\'') return new CqlLiteral(at, ReadString());
        if (char.IsAsciiDigit(c) || c is '-' or '+' or '.') return new CqlLiteral(at, ReadNumber());
        if (c == '"')
        {
            var quoted = ReadQuotedIdentifier();
            return new CqlProperty(at, quoted);
        }
        if (!char.IsAsciiLetter(c) && c != '_') throw Error($"unexpected '{Snippet()}'; expected a property, a value or a function");

        var name = ReadIdentifier();
        var upper = name.ToUpperInvariant();
        if (upper is "TRUE" or "FALSE") return new CqlLiteral(at, upper == "TRUE");
        SkipSpace();
        var isCall = _pos < _text.Length && _text[_pos] == '(';
        if (WktTypes.Contains(upper) && (isCall || PeekDimensionOrEmpty())) return ReadWkt(start, at);
        if (!isCall)
        {
            if (Reserved.Contains(upper)) throw Error($"'{name}' is a keyword; a property or a value was expected", start);
            return new CqlProperty(at, name);
        }
        _pos++; // (
        switch (upper)
        {
            case "DATE" or "TIMESTAMP":
            {
                SkipSpace();
                var text = ReadString();
                Expect(")");
                return new CqlTime(at, upper == "DATE", text);
            }
            // Arguments count as a level of nesting, as NOT and parentheses do: INTERVAL(INTERVAL(…)) or T_AFTER(T_AFTER(…))
            // a few thousand deep recursed here, and later in CqlSql, with no limit but the stack.
            case "INTERVAL":
                return Nested(() =>
                {
                    var from = ParseScalar();
                    Expect(",");
                    var to = ParseScalar();
                    Expect(")");
                    return new CqlInterval(at, from, to);
                });
            case "BBOX":
            {
                var numbers = new List<double> { ReadNumber() };
                while (TrySymbol(",")) numbers.Add(ReadNumber());
                Expect(")");
                if (numbers.Count is not (4 or 6)) throw Error("BBOX takes 4 numbers (minx, miny, maxx, maxy) or 6 with heights", start);
                var half = numbers.Count / 2;
                return CqlGeometries.Box(numbers[0], numbers[1], numbers[half], numbers[half + 1], at);
            }
        }
        if (!CqlFunctions.IsKnown(upper)) throw Error($"'{name}' is not a function this server knows; spatial: {CqlFunctions.SpatialList}; temporal: {CqlFunctions.TemporalList}", start);
        return Nested(() =>
        {
            var args = new List<CqlNode>();
            SkipSpace();
            if (!TrySymbol(")"))
            {
                do args.Add(ParseScalar()); while (TrySymbol(","));
                Expect(")");
            }
            return new CqlFunction(at, upper, args);
        });
    }

    private CqlGeometry ReadWkt(int start, string at)
    {
        SkipSpace();
        if (_pos >= _text.Length || _text[_pos] != '(')
        {
            var word = ReadIdentifier().ToUpperInvariant(); // Z, M, ZM or EMPTY
            SkipSpace();
            if (word != "EMPTY" && _pos < _text.Length && char.IsAsciiLetter(_text[_pos])) word = ReadIdentifier().ToUpperInvariant();
            // Refused as CqlGeometries.Checked refuses any other empty geometry, in either encoding.
            if (word == "EMPTY") throw Error("the geometry is empty", start);
        }
        SkipSpace();
        if (_pos >= _text.Length || _text[_pos] != '(') throw Error("expected '(' after the geometry type");
        var depth = 0;
        do
        {
            if (_pos >= _text.Length) throw Error("the geometry's parentheses are not closed", start);
            var ch = _text[_pos++];
            if (ch == '(') depth++;
            else if (ch == ')') depth--;
            else if (!(char.IsAsciiDigit(ch) || char.IsAsciiLetter(ch) || ch is ' ' or ',' or '.' or '-' or '+' or '\t' or '\n' or '\r'))
                throw Error($"unexpected '{ch}' inside a geometry", _pos - 1);
        } while (depth > 0);
        var wkt = _text[start.._pos];
        try
        {
            var geometry = new WKTReader(NetTopologySuite.NtsGeometryServices.Instance).Read(wkt);
            return new CqlGeometry(at, CqlGeometries.Checked(geometry, at));
        }
        catch (Exception e) when (e is ParseException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw Error($"the geometry is not valid WKT: {e.Message}", start);
        }
    }

    /// <summary>
    /// True when a WKT type name goes on as a geometry without a '(' right after it: POINT Z (…), POINT EMPTY or
    /// POINT Z EMPTY. POINT EMPTY was read as a property named POINT followed by something unexpected.
    /// </summary>
    private bool PeekDimensionOrEmpty()
    {
        var save = _pos;
        string Word()
        {
            var word = _pos < _text.Length && char.IsAsciiLetter(_text[_pos]) ? ReadIdentifier().ToUpperInvariant() : "";
            SkipSpace();
            return word;
        }
        var word = Word();
        if (word is "Z" or "M" or "ZM") word = _pos < _text.Length && _text[_pos] == '(' ? "(" : Word();
        _pos = save;
        return word is "(" or "EMPTY";
    }

    private string? TryComparison()
    {
        foreach (var op in (string[])["<>", "<=", ">=", "=", "<", ">"])
            if (string.CompareOrdinal(_text, _pos, op, 0, op.Length) == 0)
            {
                _pos += op.Length;
                return op;
            }
        return null;
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private bool TrySymbol(string symbol)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _pos, symbol, 0, symbol.Length) != 0) return false;
        _pos += symbol.Length;
        return true;
    }

    private void Expect(string symbol)
    {
        if (!TrySymbol(symbol))
            throw Error(_pos < _text.Length ? $"expected '{symbol}', not '{Snippet()}'" : $"expected '{symbol}' but the filter ends");
    }

    private bool PeekKeyword(string keyword)
    {
        SkipSpace();
        var end = _pos + keyword.Length;
        return end <= _text.Length && string.Compare(_text, _pos, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) == 0 &&
               (end == _text.Length || !(char.IsAsciiLetterOrDigit(_text[end]) || _text[end] == '_'));
    }

    private bool TryKeyword(string keyword)
    {
        if (!PeekKeyword(keyword)) return false;
        _pos += keyword.Length;
        return true;
    }

    private void ExpectKeyword(string keyword)
    {
        if (!TryKeyword(keyword)) throw Error($"expected {keyword}" + (_pos < _text.Length ? $", not '{Snippet()}'" : " but the filter ends"));
    }
}
