using NapGeo.Samples;

namespace NapGeo.Tests.Assessment;

/// <summary>Known answers for every reported unit against every matrix: the factor and canonical unit, or a refusal.</summary>
public sealed class UnitsTests
{
    private static readonly Dictionary<string, double> Solid = new()
    {
        ["mg/kg"] = 1, ["ppm"] = 1, ["ug/g"] = 1, ["g/t"] = 1, ["ng/mg"] = 1, ["ug/kg"] = 1e-3, ["ng/g"] = 1e-3, ["ppb"] = 1e-3, ["mg/g"] = 1e3,
    };
    private static readonly Dictionary<string, double> Liquid = new()
    {
        ["ug/l"] = 1, ["ppb"] = 1, ["ng/ml"] = 1, ["ng/l"] = 1e-3, ["ppt"] = 1e-3, ["mg/l"] = 1e3, ["ppm"] = 1e3, ["ug/dl"] = 10,
        ["ug/ml"] = 1e3, ["nmol/l"] = 0.20059,
    };
    private static readonly Dictionary<string, double> Air = new() { ["ng/m3"] = 1, ["ug/m3"] = 1e3, ["mg/m3"] = 1e6 };
    private static readonly Dictionary<string, double> Creatinine = new()
    {
        ["ug/gcreatinine"] = 1, ["ug/gcreat"] = 1, ["mg/gcreatinine"] = 1e3, ["ng/mgcreatinine"] = 1,
        ["ug/mmolcreatinine"] = 1 / 0.11312, ["nmol/mmolcreatinine"] = 0.20059 / 0.11312,
    };

    private static (Dictionary<string, double> Table, string Unit) Expected(string matrix) => matrix switch
    {
        "soil" or "sediment" or "tailings" or "fish" => (Solid, "mg/kg"),
        "hair" => (Solid, "µg/g"),
        "water" or "urine" or "blood" => (Liquid, "µg/L"),
        "air" => (Air, "ng/m³"),
        _ => throw new ArgumentOutOfRangeException(nameof(matrix)),
    };

    public static TheoryData<string, string> Pairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var matrix in Units.Matrices.Where(m => m != "other"))
            foreach (var unit in Solid.Keys.Concat(Liquid.Keys).Concat(Air.Keys).Concat(Creatinine.Keys).Distinct())
                data.Add(matrix, unit);
        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Every_unit_against_every_matrix(string matrix, string unit)
    {
        var (table, canonical) = Expected(matrix);
        var result = Units.Normalize(matrix, unit, out var problem);
        if (table.TryGetValue(unit, out var factor))
        {
            Assert.NotNull(result);
            Assert.Equal(factor, result.Factor, 12);
            Assert.Equal(canonical, result.Unit);
            Assert.Equal(factor, Units.FactorToCanonical(matrix, unit, out _)!.Value, 12);
        }
        else if (matrix == "urine" && Creatinine.TryGetValue(unit, out var adjusted))
        {
            Assert.NotNull(result);
            Assert.Equal(adjusted, result.Factor, 12);
            Assert.Equal(Units.PerCreatinine, result.Unit);
            // The factor-only API must not label a per-creatinine value with µg/L.
            Assert.Null(Units.FactorToCanonical(matrix, unit, out var why));
            Assert.Contains("creatinine", why);
        }
        else
        {
            Assert.Null(result);
            Assert.False(string.IsNullOrEmpty(problem));
        }
    }

    [Fact]
    public void The_tables_know_exactly_the_units_tested()
    {
        var tested = Solid.Keys.Concat(Liquid.Keys).Concat(Air.Keys).Concat(Creatinine.Keys).ToHashSet();
        Assert.True(tested.SetEquals(Units.KnownKeys), string.Join(", ", Units.KnownKeys.Except(tested)));
    }

    [Theory]
    [InlineData("water", "µg/L", 1, "µg/L")]
    [InlineData("water", "mcg / litre", 1, "µg/L")]
    [InlineData("blood", "μg/dL", 10, "µg/L")]
    [InlineData("air", "µg/m³", 1000, "ng/m³")]
    [InlineData("air", "ug/m^3", 1000, "ng/m³")]
    [InlineData("hair", "PPM", 1, "µg/g")]
    [InlineData("urine", "µg/g Creatinine", 1, "µg/g creatinine")]
    [InlineData("urine", "mcg per g creatinine", 1, "µg/g creatinine")]
    public void Spelling_variants_fold_to_the_same_unit(string matrix, string unit, double factor, string canonical)
    {
        var result = Units.Normalize(matrix, unit, out _)!;
        Assert.Equal(factor, result.Factor, 12);
        Assert.Equal(canonical, result.Unit);
    }

    [Fact]
    public void Creatinine_units_are_refused_outside_urine_and_other_keeps_its_unit()
    {
        Assert.Null(Units.Normalize("blood", "µg/g creatinine", out var problem));
        Assert.Contains("only applies to urine", problem);
        Assert.Equal(new Units.Normalization(1, "counts"), Units.Normalize("other", "counts", out _));
    }
}
