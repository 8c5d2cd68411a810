using System.Globalization;
using System.Text.RegularExpressions;
using NapGeo.Layers;
using NapGeo.Samples;

namespace NapGeo.Uploads;

/// <summary>Cells as spreadsheets write them: numbers with decimal commas or thousands separators, yes/no, day-first dates.</summary>
public sealed partial class RowConverter
{
    private static readonly string[] DateFormats =
        ["yyyy-MM-dd", "yyyy/MM/dd", "dd/MM/yyyy", "d/M/yyyy", "dd.MM.yyyy", "d.M.yyyy", "dd-MM-yyyy", "yyyyMMdd"];
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy/MM/dd HH:mm", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd HH:mm:sszzz",
        "dd/MM/yyyy HH:mm", "dd/MM/yyyy HH:mm:ss", "d/M/yyyy H:mm", "dd.MM.yyyy HH:mm",
    ];

    public static string? Text(object? raw) => raw switch
    {
        null => null,
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => raw.ToString(),
    };

    /// <summary>Numbers as field sheets write them: "1.5", "1,5" (decimal comma), "1 234,5", "1,234.5".</summary>
    public static bool TryNumber(object? raw, out double number)
    {
        number = 0;
        switch (raw)
        {
            case double d: number = d; return double.IsFinite(d);
            case int or long or decimal or float: number = System.Convert.ToDouble(raw, CultureInfo.InvariantCulture); return true;
            case string s:
                var text = s.Trim().Replace("\u00a0", "").Replace("\u202f", "").Replace(" ", "");
                if (text.Length == 0) return false;
                var comma = text.LastIndexOf(',');
                var dot = text.LastIndexOf('.');
                if (comma >= 0 && dot >= 0) text = comma > dot ? text.Replace(".", "").Replace(',', '.') : text.Replace(",", "");
                else if (comma >= 0) text = text.IndexOf(',') == comma ? text.Replace(',', '.') : text.Replace(",", "");
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
            default: return false;
        }
    }

    /// <summary>
    /// "1,250" is 1.25 with a decimal comma and 1250 with a thousands separator (Excel's #,##0 written to CSV), and
    /// nothing in the cell tells which: a reason to give the row, or null. "0,350", "1,25" and "1,250.5" are not ambiguous.
    /// </summary>
    public static string? Ambiguous(object? raw)
    {
        if (raw is not string s || !AmbiguousThousands().IsMatch(s.Trim())) return null;
        var text = s.Trim();
        var decimalComma = double.Parse(text.Replace(',', '.'), CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
        var thousands = text.Replace(",", "");
        return $"'{text}' is ambiguous: {decimalComma} with a decimal comma, or {thousands} with a thousands separator; write {decimalComma} or {thousands}.";
    }

    [GeneratedRegex(@"^-?[1-9]\d{0,2},\d{3}$")]
    private static partial Regex AmbiguousThousands();

    private static bool TryBoolean(object raw, out bool flag)
    {
        flag = false;
        switch (raw)
        {
            case bool b: flag = b; return true;
            case double d when d is 0 or 1: flag = d == 1; return true;
            case string s:
                switch (Units.Fold(s))
                {
                    case "true" or "yes" or "y" or "1" or "oui" or "si" or "sim" or "x": flag = true; return true;
                    case "false" or "no" or "n" or "0" or "non" or "nao": flag = false; return true;
                }
                return false;
            default: return false;
        }
    }

    private static bool TryDate(object raw, out DateOnly date)
    {
        date = default;
        if (raw is DateTime t) { date = DateOnly.FromDateTime(t); return true; }
        return raw is string s && DateOnly.TryParseExact(s.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    private const string DateForms =
        "dates are read as YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD or day first as DD/MM/YYYY, DD.MM.YYYY, DD-MM-YYYY (never month first)";
    private const string TimeForms =
        "; with a time as 2024-05-02 10:30, 02/05/2024 10:30 or ISO 8601 (2024-05-02T10:30:00Z), UTC unless it gives an offset";

    /// <summary>
    /// Why a date cell cannot be read, or null when it can. FeatureInput's "must be a date (YYYY-MM-DD) or an ISO 8601
    /// date-time" is the API's rule, not the file's: it left out the day-first forms read here, and said nothing of the
    /// usual causes, a date column that lost its format on the way to CSV (45366) or a day the month does not have.
    /// </summary>
    private static string? DateProblem(Field field, object raw)
    {
        if (field.Kind == FieldKind.Date ? TryDate(raw, out _) : TryTimestamp(raw, out _)) return null;
        var text = Text(raw)?.Trim() ?? "";
        var forms = field.Kind == FieldKind.Date ? DateForms : DateForms + TimeForms;
        if (text.Length == 5 && text.All(char.IsAsciiDigit))
        {
            var serial = int.Parse(text, CultureInfo.InvariantCulture);
            var shown = new DateTime(1899, 12, 30).AddDays(serial).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            return $"looks like an Excel serial date ({text} is {shown} in Excel's count of days): the column is not formatted as a date, or lost " +
                   $"that format when the sheet was saved as CSV. Format it as a date (YYYY-MM-DD) and save again; {forms}.";
        }
        if (DayFirst().Match(text) is { Success: true } m)
            return $"read day first is day {int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)} of month {int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)}, " +
                   $"which {m.Groups[3].Value} does not have; {forms}.";
        return $"is not a date: {forms}.";
    }

    [GeneratedRegex(@"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")]
    private static partial Regex DayFirst();

    /// <summary>Dates and times without an offset are taken as UTC; day-first dates (dd/MM/yyyy) as field teams outside the US write them.</summary>
    private static bool TryTimestamp(object raw, out string iso)
    {
        iso = "";
        if (raw is DateTime t)
        {
            iso = t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : FeatureJson.Timestamp(DateTime.SpecifyKind(t, DateTimeKind.Utc));
            return true;
        }
        if (raw is not string s) return false;
        s = s.Trim();
        if (TryDate(s, out var date)) { iso = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture); return true; }
        if (DateTimeOffset.TryParseExact(s, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ||
            (s.Length > 10 && s[4] == '-' && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out parsed)))
        {
            iso = FeatureJson.Timestamp(parsed.UtcDateTime);
            return true;
        }
        return false;
    }
}
