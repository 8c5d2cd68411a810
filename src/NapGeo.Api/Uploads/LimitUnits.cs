using NapGeo.Samples;

namespace NapGeo.Uploads;

/// <summary>
/// A detection limit moved from one unit into another for a matrix, as values are normalized (mass per mass for solids,
/// per volume for liquids, per m³ for air): used for a limit whose header names its unit, and for a stored limit kept by a
/// re-upload that changes the row's unit.
/// </summary>
public static class LimitUnits
{
    /// <summary>The limit in <paramref name="toUnit"/>, or null with the reason it cannot be converted.</summary>
    public static double? Convert(string matrix, string fromUnit, string toUnit, double limit, out string? reason)
    {
        reason = null;
        if (Units.Key(fromUnit) == Units.Key(toUnit)) return limit;
        var to = Units.Normalize(matrix, toUnit, out reason);
        var from = to is null ? null : Units.Normalize(matrix, fromUnit, out reason);
        if (to is null || from is null) return null;
        // "other" has no canonical unit: its units are kept as reported, so only the same unit needs no conversion.
        reason = Units.CanonicalUnit(matrix) is null ? "a sample of matrix other has no canonical unit to convert through."
            : from.Unit != to.Unit ? $"{from.Unit} and {to.Unit} are different bases."
            : null;
        if (reason is not null) return null;
        var converted = Units.Converted(limit * from.Factor / to.Factor);
        if (double.IsFinite(converted)) return converted;
        reason = "the converted limit is too large to be a number.";
        return null;
    }
}
