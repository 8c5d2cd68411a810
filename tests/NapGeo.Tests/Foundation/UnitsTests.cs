using NapGeo.Samples;

namespace NapGeo.Tests.Foundation;

public sealed class UnitsTests
{
    public static TheoryData<string, string, double> Conversions => new()
    {
        // solids: canonical mg/kg
        { "soil", "mg/kg", 1 }, { "soil", "ppm", 1 }, { "soil", "µg/g", 1 }, { "soil", "ug/g", 1 }, { "soil", "mcg/g", 1 },
        { "sediment", "ng/g", 0.001 }, { "sediment", "µg/kg", 0.001 }, { "sediment", "ppb", 0.001 }, { "tailings", "g/t", 1 },
        { "tailings", "MG/KG", 1 }, { "fish", "mg / kg", 1 }, { "fish", "ppm", 1 }, { "fish", "μg/g", 1 }, // Greek mu
        // hair: canonical µg/g
        { "hair", "µg/g", 1 }, { "hair", "ppm", 1 }, { "hair", "ng/mg", 1 }, { "hair", "ng/g", 0.001 },
        // liquids: canonical µg/L
        { "water", "µg/L", 1 }, { "water", "ppb", 1 }, { "water", "ng/mL", 1 }, { "water", "ng/L", 0.001 }, { "water", "mg/L", 1000 },
        { "water", "ug per litre", 1 }, { "urine", "ug/l", 1 }, { "blood", "µg/dL", 10 }, { "blood", "nmol/L", 0.20059 },
        // air: canonical ng/m³
        { "air", "ng/m³", 1 }, { "air", "ng/m3", 1 }, { "air", "µg/m³", 1000 }, { "air", "ug/m^3", 1000 }, { "air", "mg/m3", 1e6 },
    };

    [Theory]
    [MemberData(nameof(Conversions))]
    public void Reported_unit_converts_to_the_canonical_unit(string matrix, string unit, double factor)
    {
        Assert.Equal(factor, Units.FactorToCanonical(matrix, unit, out var problem)!.Value, 12);
        Assert.Null(problem);
    }

    /// <summary>Converted values are as a person writes them: 350 µg/kg was stored as 0.35000000000000003 mg/kg.</summary>
    [Theory]
    [InlineData("soil", 350, "µg/kg", 0.35)]
    [InlineData("sediment", 0.9, "ng/g", 0.0009)]
    [InlineData("water", 0.3, "ng/L", 0.0003)]
    [InlineData("blood", 0.7, "µg/dL", 7)]
    [InlineData("air", 0.1, "µg/m³", 100)]
    [InlineData("air", 1.1, "µg/m³", 1100)]
    public void A_converted_value_carries_no_binary_noise(string matrix, double value, string unit, double expected) =>
        Assert.Equal(expected.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            Units.Normalize(matrix, unit, out _)!.Of(value).ToString("R", System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("soil", "µg/L", "does not fit matrix soil")]
    [InlineData("water", "mg/kg", "does not fit matrix water")]
    [InlineData("air", "ppm", "does not fit matrix air")]
    [InlineData("fish", "furlongs", "not a known mercury concentration unit")]
    [InlineData("urine", "µg/g creatinine", "per creatinine")]
    public void Units_that_do_not_fit_the_matrix_are_rejected_with_a_reason(string matrix, string unit, string reason)
    {
        Assert.Null(Units.FactorToCanonical(matrix, unit, out var problem));
        Assert.Contains(reason, problem);
    }

    /// <summary>Fish are reported per wet weight, so a fish lab's wet-weight mark names the canonical unit (it was an unknown
    /// unit, and every such result refused); a wet-weight solid is not comparable with the dry guidelines.</summary>
    [Theory]
    [InlineData("fish", "mg/kg ww", 1.0)]
    [InlineData("fish", "µg/g wet weight", 1.0)]
    [InlineData("fish", "ng/g (w.w.)", 0.001)]
    [InlineData("fish", "mg/kg fw", 1.0)]
    [InlineData("fish", "mg kg-1 WW", 1.0)]
    [InlineData("soil", "mg/kg ww", null)]
    [InlineData("sediment", "mg/kg wet wt", null)]
    [InlineData("soil", "mg/kg DW", 1.0)]
    [InlineData("fish", "mg/kg DW", null)]
    public void A_wet_weight_mark_fits_fish_only(string matrix, string unit, double? factor)
    {
        var found = Units.FactorToCanonical(matrix, unit, out var problem);
        if (factor is { } f) Assert.Equal(f, found!.Value, 12);
        else Assert.Matches(matrix == "fish" ? "per dry weight" : "per wet weight", problem);
    }

    [Theory]
    [InlineData("soil", "mg/kg")]
    [InlineData("hair", "µg/g")]
    [InlineData("blood", "µg/L")]
    [InlineData("air", "ng/m³")]
    [InlineData("other", null)]
    public void Each_matrix_has_its_canonical_unit(string matrix, string? canonical) =>
        Assert.Equal(canonical, Units.CanonicalUnit(matrix));
}
