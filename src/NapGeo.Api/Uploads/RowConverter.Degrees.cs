using System.Globalization;
using System.Text;

namespace NapGeo.Uploads;

/// <summary>
/// Degrees as field sheets and GPS units write them besides decimals: degrees-minutes-seconds (5°36'13.3"N, N 5 36 13.3),
/// degrees and decimal minutes (5°36.222'N), and decimals with a hemisphere letter (5.6037 N).
/// </summary>
public sealed partial class RowConverter
{
    /// <summary>What <see cref="TryDegrees"/> made of a cell.</summary>
    private enum DegreesCell { NotDms, Read, Invalid }

    /// <summary>How degrees may be written, for the message about a cell that is neither a number nor these.</summary>
    private const string DmsExample = "5°36'13.3\"N";

    /// <summary>
    /// Reads <paramref name="raw"/> as sexagesimal degrees or degrees with a hemisphere letter; NotDms leaves the cell to
    /// <see cref="TryNumber"/>. A hemisphere letter sets the sign, so <paramref name="lettered"/> tells the caller that
    /// a header's hemisphere ("Longitude (W)") must not flip it again. Parts separated only by spaces count as degrees,
    /// minutes and seconds only when the minutes have at most two digits: "609 812" is a number with a thousands space.
    /// </summary>
    private static DegreesCell TryDegrees(object raw, bool latitude, out double degrees, out bool lettered, out string? problem)
    {
        degrees = 0;
        lettered = false;
        problem = null;
        if (raw is not string cell) return DegreesCell.NotDms;
        var text = NormalizeMarks(cell.Trim());
        if (text.Length == 0) return DegreesCell.NotDms;

        char? hemisphere = null;
        if (char.IsAsciiLetter(text[0])) { hemisphere = char.ToUpperInvariant(text[0]); text = text[1..].TrimStart(); }
        else if (char.IsAsciiLetter(text[^1])) { hemisphere = char.ToUpperInvariant(text[^1]); text = text[..^1].TrimEnd(); }
        if (hemisphere is { } h && "NSEWOL".IndexOf(h) < 0) return DegreesCell.NotDms;
        var negative = text.StartsWith('-');
        if (negative || text.StartsWith('+')) text = text[1..].TrimStart();

        var parts = new List<(string Digits, int Slot)>(3);
        var marked = false;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] is '.' or ',')) i++;
            if (i == start) return DegreesCell.NotDms;
            var digits = text[start..i];
            var spaced = i < text.Length && text[i] == ' ';
            while (i < text.Length && text[i] == ' ') i++;
            var slot = parts.Count;
            if (i < text.Length && "°'\"".IndexOf(text[i]) is >= 0 and var mark)
            {
                slot = mark;
                marked = true;
                i++;
                while (i < text.Length && text[i] == ' ') i++;
            }
            else if (i < text.Length && !spaced) return DegreesCell.NotDms;
            if (slot != parts.Count || slot > 2) return DegreesCell.NotDms;
            parts.Add((digits, slot));
        }
        if (parts.Count == 0 || hemisphere is null && !marked && parts.Count == 1) return DegreesCell.NotDms;
        if (!marked && parts.Count > 1 && parts[1].Digits.Split('.', ',')[0].Length > 2) return DegreesCell.NotDms;

        var role = latitude ? "latitude" : "longitude";
        var values = new double[parts.Count];
        for (var p = 0; p < parts.Count; p++)
        {
            var digits = parts[p].Digits.Replace(',', '.');
            if (!double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out values[p])) return DegreesCell.NotDms;
            // 5.5°30' is half a degree and thirty minutes, or a typo: nothing says which.
            if (p < parts.Count - 1 && digits.Contains('.'))
                return Invalid(out problem, "has decimals before its last part; only the last of degrees, minutes and seconds may have them");
        }
        if (values.Length > 1 && values[1] >= 60) return Invalid(out problem, Sixty(values[1], "minutes"));
        if (values.Length > 2 && values[2] >= 60) return Invalid(out problem, Sixty(values[2], "seconds"));
        if (hemisphere is { } letter)
        {
            // Spanish and Portuguese sheets (Peru, Bolivia, Brazil, Mozambique) write west as O (oeste), Portuguese ones
            // east as L (leste); N and S are the same words' initials.
            var meaning = letter switch { 'O' => 'W', 'L' => 'E', _ => letter };
            if (latitude != (meaning is 'N' or 'S'))
                return Invalid(out problem, $"has the hemisphere {letter}, which is a {(latitude ? "longitude" : "latitude")}'s; a {role} takes {(latitude ? "N or S" : "E or W (O or L)")}");
            // A minus sign already says south or west: with the other letter the cell contradicts itself.
            if (negative && meaning is 'N' or 'E')
                return Invalid(out problem, $"has a minus sign ({(latitude ? "south" : "west")}) and the hemisphere {letter}; keep one of them");
            negative = meaning is 'S' or 'W';
            lettered = true;
        }
        degrees = values[0] + (values.Length > 1 ? values[1] / 60 : 0) + (values.Length > 2 ? values[2] / 3600 : 0);
        if (negative) degrees = -degrees;
        return DegreesCell.Read;

        DegreesCell Invalid(out string? reason, string what)
        {
            reason = $"the {role} {what}.";
            return DegreesCell.Invalid;
        }

        static string Sixty(double value, string unit) =>
            string.Create(CultureInfo.InvariantCulture, $"has {value} {unit}; {unit} run from 0 to under 60");
    }

    /// <summary>
    /// One spelling for each mark: degrees (° and the ordinal º of Spanish and Portuguese sheets, ˚), minutes (′ ’ ‘ ´ `)
    /// and seconds (″ ” “ and two apostrophes). Spaces of any width are one space.
    /// </summary>
    private static string NormalizeMarks(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var c in text)
            result.Append(c switch
            {
                'º' or '˚' => '°',
                '′' or '’' or '‘' or '´' or '`' => '\'',
                '″' or '”' or '“' => '"',
                '\u00a0' or '\u202f' or '\t' => ' ',
                _ => c,
            });
        return result.Replace("''", "\"").ToString();
    }
}
