using System.Globalization;

namespace NapGeo.Features.Cql2;

/// <summary>The literals and names of cql2-text: strings, numbers, identifiers.</summary>
public sealed partial class CqlTextParser
{
    private string ReadString()
    {
        if (_pos >= _text.Length || _text[_pos] != '\'') throw Error("expected a quoted string");
        var start = _pos++;
        var sb = new System.Text.StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw Error("the string is not closed (a quote inside a string is written '' or \\')", start);
            var ch = _text[_pos++];
            if (ch == '\'')
            {
                if (_pos < _text.Length && _text[_pos] == '\'') { sb.Append('\''); _pos++; continue; }
                break;
            }
            // CQL2's escapeQuote is '' or \' (as in 'O\'Brien'); any other backslash is itself (LIKE patterns keep theirs).
            if (_backslashQuotes && ch == '\\' && _pos < _text.Length && _text[_pos] == '\'') { sb.Append('\''); _pos++; continue; }
            sb.Append(ch);
            if (sb.Length > MaxStringLength) throw Error($"the string is longer than {MaxStringLength} characters", start);
        }
        return sb.ToString();
    }

    private double ReadNumber()
    {
        SkipSpace();
        var start = _pos;
        if (_pos < _text.Length && _text[_pos] is '-' or '+') _pos++;
        while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] is '.' or 'e' or 'E' ||
                                       (_text[_pos] is '-' or '+' && _text[_pos - 1] is 'e' or 'E')))
            _pos++;
        var token = _text[start.._pos];
        if (token.Length > 40) throw Error($"the number '{token[..20]}…' is too long", start);
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Error($"'{(token.Length == 0 ? Snippet() : token)}' is not a finite number", start);
        return value;
    }

    private string ReadIdentifier()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.' or ':')) _pos++;
        if (_pos - start > 100) throw Error("the name is longer than 100 characters", start);
        return _text[start.._pos];
    }

    private string ReadQuotedIdentifier()
    {
        var start = _pos++;
        var end = _text.IndexOf('"', _pos);
        if (end < 0 || end - _pos > 100) throw Error("the quoted name is not closed", start);
        var name = _text[_pos..end];
        _pos = end + 1;
        return name;
    }
}
