using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NapGeo.Samples;

/// <summary>
/// Unit normalization for the rapid environmental mercury assessment. Each matrix has one canonical unit
/// (mg/kg for soil, sediment, tailings and fish; µg/g for hair; µg/L for water, urine and blood; ng/m³ for air).
/// Reported units are matched case- and accent-insensitively, with µ/u/mcg alike and the usual synonyms
/// (ppm = mg/kg for solids, = µg/g for hair, = mg/L for liquids; ppb = µg/kg for solids, = µg/L for liquids).
/// Urine may also be reported per gram of creatinine: that is another basis (a ratio to a urine constituent, not a
/// concentration), so it keeps its own canonical unit, µg/g creatinine, and is never converted to or from µg/L.
/// </summary>
public static partial class Units
{
    public static readonly IReadOnlyList<string> Matrices =
        ["soil", "sediment", "tailings", "water", "air", "fish", "hair", "urine", "blood", "other"];

    private enum Basis { MassPerMass, MassPerVolume, Air }

    // Matrix names as field sheets and lab reports write them (English, French, Spanish, Portuguese), folded by Fold.
    private static readonly Dictionary<string, string> MatrixSynonyms = BuildMatrixSynonyms(new()
    {
        ["soil"] = ["soil", "soils", "topsoil", "surface soil", "sol", "sols", "suelo", "suelos", "solo"],
        ["sediment"] = ["sediment", "sediments", "river sediment", "stream sediment", "bottom sediment", "sedimento", "sedimentos"],
        ["tailings"] = ["tailings", "tailing", "mine tailings", "mine waste", "residus", "residus miniers", "rejets", "relaves", "jales", "rejeitos"],
        ["water"] = ["water", "surface water", "river water", "drinking water", "groundwater", "well water", "eau", "agua"],
        ["air"] = ["air", "ambient air", "indoor air", "aire"],
        ["fish"] = ["fish", "fish muscle", "poisson", "pescado", "pez", "peixe"],
        ["hair"] = ["hair", "human hair", "cheveux", "cabello", "pelo", "cabelo"],
        ["urine"] = ["urine", "orina", "urina"],
        ["blood"] = ["blood", "whole blood", "sang", "sangre", "sangue"],
        ["other"] = ["other", "autre", "otro", "outro"],
    });

    private static Dictionary<string, string> BuildMatrixSynonyms(Dictionary<string, string[]> byMatrix) =>
        byMatrix.SelectMany(p => p.Value.Select(s => (Synonym: Fold(s), Matrix: p.Key))).ToDictionary(x => x.Synonym, x => x.Matrix);

    /// <summary>The matrix code for a name as written in a file ("Sédiment", "River sediment", "SOIL"), or null.</summary>
    public static string? MatchMatrix(string text) => MatrixSynonyms.GetValueOrDefault(Fold(text));

    // The app runs with invariant globalization, where Unicode decomposition is not available: fold the Latin letters
    // of the languages NAP teams write in (French, Spanish, Portuguese, …) by table.
    private const string Accented = "àáâãäåāçćčèéêëēěìíîïīñńòóôõöøōùúûüūýÿœæ";
    private const string Plain = "aaaaaaaccceeeeeeiiiiinnooooooouuuuuyyoa";

    /// <summary>Lower-case, accents removed, separators collapsed to single spaces: "Sédiment_de rivière" → "sediment de riviere".</summary>
    public static string Fold(string text)
    {
        var decomposed = text.Trim().ToLowerInvariant();
        var builder = new StringBuilder(decomposed.Length);
        var space = false;
        foreach (var original in decomposed)
        {
            var ch = Accented.IndexOf(original) is var i and >= 0 ? Plain[i] : original;
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsLetterOrDigit(ch)) { if (space && builder.Length > 0) builder.Append(' '); builder.Append(ch); space = false; }
            else space = true;
        }
        return builder.ToString();
    }

    // Factor from the reported unit to the basis's canonical unit (mg/kg = µg/g; µg/L; ng/m³).
    private static readonly Dictionary<string, double> MassPerMass = new()
    {
        ["mg/kg"] = 1, ["ppm"] = 1, ["ug/g"] = 1, ["g/t"] = 1, ["ng/mg"] = 1,
        ["ug/kg"] = 1e-3, ["ng/g"] = 1e-3, ["ppb"] = 1e-3, ["mg/g"] = 1e3,
    };

    // 1 nmol/L of mercury is 0.20059 µg/L (molar mass 200.59 g/mol): blood labs often report nmol/L.
    private static readonly Dictionary<string, double> MassPerVolume = new()
    {
        ["ug/l"] = 1, ["ppb"] = 1, ["ng/ml"] = 1, ["ng/l"] = 1e-3, ["ppt"] = 1e-3,
        ["mg/l"] = 1e3, ["ppm"] = 1e3, ["ug/dl"] = 10, ["ug/ml"] = 1e3, ["nmol/l"] = 0.20059,
    };

    private static readonly Dictionary<string, double> AirConcentration = new()
    {
        ["ng/m3"] = 1, ["ug/m3"] = 1e3, ["mg/m3"] = 1e6,
    };

    public const string PerCreatinine = "µg/g creatinine";

    // Creatinine-adjusted urine: to µg/g creatinine. 1 mmol creatinine is 0.11312 g (molar mass 113.12 g/mol).
    private static readonly Dictionary<string, double> CreatinineAdjusted = new()
    {
        ["ug/gcreatinine"] = 1, ["ug/gcreat"] = 1, ["mg/gcreatinine"] = 1e3, ["ng/mgcreatinine"] = 1,
        ["ug/mmolcreatinine"] = 1 / 0.11312, ["nmol/mmolcreatinine"] = 0.20059 / 0.11312,
    };

    /// <summary>A reported unit's conversion: multiply by <paramref name="Factor"/> to get a value in <paramref name="Unit"/>.</summary>
    public sealed record Normalization(double Factor, string Unit)
    {
        /// <summary><paramref name="value"/> in <see cref="Unit"/> (see <see cref="Converted"/>).</summary>
        public double Of(double value) => Converted(value * Factor);
    }

    /// <summary>
    /// A converted value as a person would write it. Factors such as 1e-3 are not exact in binary (350 µg/kg was stored as
    /// 0.35000000000000003 mg/kg, 0.9 µg/kg as 0.0009000000000000001): twelve significant digits are far beyond any
    /// laboratory's. Not a finite number stays as it is, for the caller to refuse.
    /// </summary>
    public static double Converted(double value) =>
        double.IsFinite(value) ? double.Parse(value.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : value;

    public static string? CanonicalUnit(string matrix) => BasisOf(matrix) switch
    {
        Basis.MassPerMass => matrix == "hair" ? "µg/g" : "mg/kg",
        Basis.MassPerVolume => "µg/L",
        Basis.Air => "ng/m³",
        _ => null,
    };

    /// <summary>Converts a value in <paramref name="unit"/> to the matrix's canonical unit (the factor only).</summary>
    /// <returns>The factor, or null with a reason when the unit is unknown, does not fit the matrix, or is creatinine-adjusted
    /// (whose canonical unit is not <see cref="CanonicalUnit"/>: use <see cref="Normalize"/>).</returns>
    public static double? FactorToCanonical(string matrix, string unit, out string? problem)
    {
        var normalization = Normalize(matrix, unit, out problem);
        if (normalization is null || BasisOf(matrix) is null || normalization.Unit == CanonicalUnit(matrix)) return normalization?.Factor;
        problem = $"unit '{unit}' is per creatinine: its canonical unit is {normalization.Unit}, not {CanonicalUnit(matrix)}; see Units.Normalize.";
        return null;
    }

    /// <summary>The factor and canonical unit for a reported unit: the matrix's canonical unit, or µg/g creatinine for adjusted urine.</summary>
    /// <returns>Null with a reason when the unit is unknown or does not fit the matrix; "other" keeps its unit as reported.</returns>
    public static Normalization? Normalize(string matrix, string unit, out string? problem)
    {
        problem = null;
        var basis = BasisOf(matrix);
        if (basis is null) return new Normalization(1, unit); // "other": kept as reported, nothing to compare against
        // Fish are reported per wet weight; a dry-weight result is several times higher and is not that unit. Soil,
        // sediment, tailings and hair are reported dry anyway. So a fish lab's wet-weight mark ("mg/kg ww") names the
        // canonical unit, and a wet-weight solid, several times lower than dry, is not comparable.
        if (matrix == "fish" && DryWeight().IsMatch(unit))
        {
            problem = $"unit '{unit}' is per dry weight; fish is reported per wet (fresh) weight, e.g. {CanonicalUnit(matrix)}.";
            return null;
        }
        var wet = basis == Basis.MassPerMass && WetWeight().IsMatch(unit);
        if (wet && matrix != "fish")
        {
            problem = $"unit '{unit}' is per wet weight; {matrix} is reported per dry weight, e.g. {CanonicalUnit(matrix)}.";
            return null;
        }
        var key = Key(wet ? WetWeight().Replace(unit, "") : unit);
        var table = basis switch { Basis.MassPerMass => MassPerMass, Basis.MassPerVolume => MassPerVolume, _ => AirConcentration };
        if (table.TryGetValue(key, out var factor)) return new Normalization(factor, CanonicalUnit(matrix)!);
        if (matrix == "urine" && CreatinineAdjusted.TryGetValue(key, out var adjusted)) return new Normalization(adjusted, PerCreatinine);

        problem = key.Contains("creat", StringComparison.Ordinal)
            ? matrix == "urine"
                ? $"unit '{unit}' is not a known creatinine-adjusted unit; use µg/g creatinine."
                : $"unit '{unit}' (per creatinine) only applies to urine."
            : Known(key)
                ? $"unit '{unit}' does not fit matrix {matrix}: {matrix} is reported as {Describe(basis.Value)}, e.g. {CanonicalUnit(matrix)}."
                : $"unit '{unit}' is not a known mercury concentration unit for {matrix}; use e.g. {CanonicalUnit(matrix)}.";
        return null;
    }

    private static Basis? BasisOf(string matrix) => matrix switch
    {
        "soil" or "sediment" or "tailings" or "fish" or "hair" => Basis.MassPerMass,
        "water" or "urine" or "blood" => Basis.MassPerVolume,
        "air" => Basis.Air,
        _ => null,
    };

    private static bool Known(string key) =>
        MassPerMass.ContainsKey(key) || MassPerVolume.ContainsKey(key) || AirConcentration.ContainsKey(key) || CreatinineAdjusted.ContainsKey(key);

    /// <summary>Every reported unit key the tables know, for documentation and tests.</summary>
    public static IEnumerable<string> KnownKeys =>
        MassPerMass.Keys.Concat(MassPerVolume.Keys).Concat(AirConcentration.Keys).Concat(CreatinineAdjusted.Keys).Distinct();

    private static string Describe(Basis basis) => basis switch
    {
        Basis.MassPerMass => "mass per mass",
        Basis.MassPerVolume => "mass per volume",
        _ => "mass per cubic metre of air",
    };

    /// <summary>
    /// Folds spelling variants: "µg/m³", "ug / m3", "mcg/M3" and "μg/m^3" become "ug/m3"; labs' exponent notation
    /// ("mg kg-1", "mg.kg-1", "µg g⁻¹", "ng m-3") becomes "mg/kg", "ug/g", "ng/m3"; a dry-weight mark ("mg/kg DW") is dropped.
    /// </summary>
    public static string Key(string unit)
    {
        var text = unit.Trim().ToLowerInvariant()
            .Replace('\u00b5', 'u').Replace('\u03bc', 'u') // micro sign and Greek mu
            .Replace("⁻¹", "-1").Replace("⁻³", "-3").Replace("^-", "-")
            .Replace("³", "3").Replace("^3", "3").Replace("mcg", "ug").Replace(" per ", "/");
        text = DryWeight().Replace(text, "");
        text = PerExponent().Replace(text, m => $"{m.Groups[1].Value}/{m.Groups[2].Value}{(m.Groups[3].Value == "1" ? "" : m.Groups[3].Value)}");
        // Accents through the table Fold uses: with invariant globalization, Normalize(FormD) leaves "é" whole, and
        // "µg/g créatinine" then matched no unit.
        var builder = new StringBuilder(text.Length);
        foreach (var original in text)
        {
            var ch = Accented.IndexOf(original) is var i and >= 0 ? Plain[i] : original;
            if (char.IsWhiteSpace(ch) || CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            builder.Append(ch);
        }
        return builder.ToString().Replace("litre", "l").Replace("liter", "l");
    }

    /// <summary>"DW", "d.w.", "(dry weight)", "dry wt" after a unit.</summary>
    [GeneratedRegex(@"\s*\(?\b(?:dw|d\.w\.?|dry weight|dry wt|dry mass)\)?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex DryWeight();

    /// <summary>"ww", "w.w.", "(wet weight)", "wet wt", "fw", "fresh weight" after a unit.</summary>
    [GeneratedRegex(@"\s*\(?\b(?:ww|w\.w\.?|wet weight|wet wt|wet mass|fw|f\.w\.?|fresh weight|fresh wt)\)?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex WetWeight();

    /// <summary>"mg kg-1", "mg.kg-1", "ng·m-3": a mass, a separator, a unit to the power -1 (or -3 for m).</summary>
    [GeneratedRegex(@"^([a-z]+)\s*[\s.·*]\s*([a-z]+)-([13])$")]
    private static partial Regex PerExponent();
}
