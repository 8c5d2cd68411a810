namespace NapGeo.Features;

/// <summary>
/// RFC 3339 (section 5.6) dates and date-times, read strictly: the one parser of CQL2's DATE()/TIMESTAMP() literals and
/// of <c>datetime=</c>. DateTimeOffset.TryParse, used before, also took 01/02/2024 10:00 (read as 2 January),
/// RFC 1123 dates, a space for the T and times without an offset (taken as UTC), none of which the messages, CQL2
/// or OGC API – Features allow.
/// </summary>
public static class Rfc3339
{
    public const string DateExample = "2024-05-02";
    public const string DateTimeExample = "2024-05-02T10:00:00Z or 2024-05-02T12:00:00+02:00";

    /// <summary>full-date: YYYY-MM-DD, a day that exists.</summary>
    public static bool TryParseDate(string text, out DateOnly date)
    {
        date = default;
        return text.Length == 10 && text[4] == '-' && text[7] == '-' &&
               Digits(text, 0, 4, out var y) && Digits(text, 5, 2, out var m) && Digits(text, 8, 2, out var d) &&
               y >= 1 && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, m) &&
               Set(out date, new DateOnly(y, m, d));
    }

    /// <summary>
    /// date-time: full-date "T" hh:mm:ss[.fraction] then "Z" or ±hh:mm ('t' and 'z' too, as RFC 3339 allows), as a UTC
    /// DateTime. Fractions beyond 100 ns are cut off (DateTime's resolution); a leap second (:60) is refused, as
    /// PostgreSQL cannot hold it. False also for an instant outside 0001-01-01…9999-12-31 in UTC.
    /// </summary>
    public static bool TryParseDateTime(string text, out DateTime utc)
    {
        utc = default;
        if (text.Length < 20 || !TryParseDate(text[..10], out var date) || text[10] is not ('T' or 't') ||
            text[13] != ':' || text[16] != ':' ||
            !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second) ||
            hour > 23 || minute > 59 || second > 59)
            return false;
        var i = 19;
        long fraction = 0;
        if (text[i] == '.')
        {
            var start = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                if (i - start < 7) fraction = fraction * 10 + (text[i] - '0');
                i++;
            }
            if (i == start) return false;
            for (var n = i - start; n < 7; n++) fraction *= 10;
        }
        if (i >= text.Length) return false;
        var offset = TimeSpan.Zero;
        if (text[i] is 'Z' or 'z') i++;
        else if (text[i] is '+' or '-' && text.Length - i == 6 && text[i + 3] == ':' &&
                 Digits(text, i + 1, 2, out var oh) && Digits(text, i + 4, 2, out var om) && oh <= 23 && om <= 59)
        {
            offset = new TimeSpan(oh, om, 0) * (text[i] == '-' ? -1 : 1);
            i += 6;
        }
        else return false;
        if (i != text.Length) return false;
        var local = date.ToDateTime(new TimeOnly(hour, minute, second), DateTimeKind.Unspecified).AddTicks(fraction);
        var ticks = local.Ticks - offset.Ticks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) return false;
        utc = new DateTime(ticks, DateTimeKind.Utc);
        return true;
    }

    private static bool Digits(string text, int start, int count, out int value)
    {
        value = 0;
        if (start + count > text.Length) return false;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i])) return false;
            value = value * 10 + (text[i] - '0');
        }
        return true;
    }

    private static bool Set<T>(out T target, T value)
    {
        target = value;
        return true;
    }
}
