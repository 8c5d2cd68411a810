using NapGeo.Assessment;

namespace NapGeo.Tests.Assessment;

public sealed class GuidelineCsvTests
{
    private static readonly IReadOnlyList<Guideline> Rows = GuidelineCsv.LoadEmbedded();

    [Theory]
    [InlineData("water", "µg/L", 6)]          // WHO drinking water, inorganic mercury
    [InlineData("air", "ng/m³", 1000)]        // WHO air quality guideline 1 µg/m³
    [InlineData("fish", "mg/kg", 0.5)]        // Codex, non-predatory
    [InlineData("hair", "µg/g", 1)]           // US EPA RfD equivalent
    [InlineData("blood", "µg/L", 5)]          // HBM-I
    [InlineData("urine", "µg/g creatinine", 50)]
    [InlineData("soil", "mg/kg", 6.6)]        // CCME agricultural/residential
    [InlineData("sediment", "mg/kg", 0.17)]   // CCME ISQG
    public void Each_matrix_has_the_documented_default(string matrix, string unit, double value)
    {
        var defaults = Rows.Where(g => g.Matrix == matrix && g.Unit == unit && g.IsDefault).ToList();
        Assert.Single(defaults);
        Assert.Equal(value, defaults[0].Value, 9);
    }

    [Fact]
    public void Alternatives_are_kept_but_not_default()
    {
        Assert.Contains(Rows, g => g is { Matrix: "fish", Value: 1.0, IsDefault: false });
        Assert.Contains(Rows, g => g is { Matrix: "sediment", Value: 0.486, IsDefault: false });
        Assert.Contains(Rows, g => g is { Matrix: "blood", Value: 15, IsDefault: false });
        Assert.Contains(Rows, g => g is { Matrix: "air", Value: 200, IsDefault: false });
        Assert.Contains(Rows, g => g is { Matrix: "water", Value: 1, IsDefault: false });
    }

    [Fact]
    public void Every_row_cites_a_source_and_says_how_far_it_was_verified()
    {
        Assert.All(Rows, g =>
        {
            Assert.False(string.IsNullOrWhiteSpace(g.Source));
            Assert.StartsWith("http", g.Url);
            Assert.InRange(g.Year!.Value, 1980, 2030);
            Assert.Contains(g.Verified, new[] { "yes", "partly", "no" });
            if (g.Verified != "yes") Assert.False(string.IsNullOrWhiteSpace(g.Note));
        });
        Assert.Equal(Rows.Count, Rows.Select(g => g.Id).Distinct().Count());
        Assert.All(Rows.Where(g => g.IsDefault).GroupBy(g => (g.Matrix, g.Unit)), group => Assert.Single(group));
    }

    [Fact]
    public void Quoted_cells_may_hold_commas_quotes_and_units_are_converted()
    {
        var rows = GuidelineCsv.Parse("""
            id,matrix,value,unit,is_default,name,protects,source,url,year,verified,note
            x,water,0.006,mg/L,true,"A, ""quoted"" name",p,s,http://x,2022,yes,
            """);
        Assert.Equal("A, \"quoted\" name", rows[0].Name);
        Assert.Equal(6, rows[0].Value, 9);
        Assert.Equal("µg/L", rows[0].Unit);
        Assert.Null(rows[0].Note);
    }
}
