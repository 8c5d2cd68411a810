namespace NapGeo.Layers;

/// <summary>
/// ISO 3166-1 alpha-3 codes as every endpoint takes them: stored in capitals; a filter may be written in either case
/// (as /api/countries/{iso3} takes it), and one that cannot be such a code is refused rather than matching nothing.
/// </summary>
public static class CountryCodes
{
    public static bool IsAlpha3(string code) => code.Length == 3 && code.All(char.IsAsciiLetterUpper);

    /// <summary>Names what is wrong with <paramref name="code"/>; <paramref name="orElse"/> is the one other code allowed.</summary>
    public static string Problem(string code, string? orElse = null) =>
        $"'{code}' is not an ISO 3166-1 alpha-3 code (three letters, e.g. GHA){(orElse is null ? "" : $" or '{orElse}'")}.";

    /// <summary>What a stored code must be: written data are not changed in case, so 'gha' is refused there.</summary>
    public static string StoredProblem(string code) => $"'{code}' is not an ISO 3166-1 alpha-3 code (three capital letters, e.g. GHA).";
}
