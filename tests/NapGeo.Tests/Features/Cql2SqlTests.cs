using NapGeo.Features;
using NapGeo.Features.Cql2;
using NapGeo.Samples;
using Npgsql;

namespace NapGeo.Tests.Features;

/// <summary>The SQL a filter becomes: identifiers from the queryables, every literal a positional parameter.</summary>
public sealed class Cql2SqlTests
{
    private static (string Sql, object[] Values) Compile(CqlNode filter, OgcCrs? crs = null)
    {
        var parameters = new NpgsqlCommand().Parameters;
        var sql = CqlSql.Compile(filter, Queryables.For(SamplesLayer.Definition), crs ?? OgcCrs.Crs84, parameters);
        return (sql, parameters.Select(p => p.Value!).ToArray());
    }

    [Fact]
    public void Text_becomes_parameterized_sql()
    {
        var (sql, values) = Compile(CqlTextParser.Parse("matrix = 'soil' AND (value > 5 OR NOT below_detection = TRUE) AND unit LIKE 'mg%'"));
        Assert.Equal("((matrix = normalize($1, NFC)) AND ((value > $2) OR (NOT (below_detection = $3))) AND (unit LIKE normalize($4, NFC)))", sql);
        Assert.Equal(["soil", 5.0, true, "mg%"], values);
    }

    [Fact]
    public void Json_reads_into_the_same_tree_and_sql()
    {
        var text = Compile(CqlTextParser.Parse("matrix IN ('hair','blood') AND value BETWEEN 1 AND 2 AND notes IS NULL"));
        var json = Compile(CqlJsonReader.Parse("""
            {"op":"and","args":[{"op":"in","args":[{"property":"matrix"},["hair","blood"]]},
            {"op":"between","args":[{"property":"value"},1,2]},{"op":"isNull","args":[{"property":"notes"}]}]}
            """));
        Assert.Equal("((matrix IN (normalize($1, NFC), normalize($2, NFC))) AND (value BETWEEN $3 AND $4) AND (notes IS NULL))", text.Sql);
        Assert.Equal(text, (json.Sql, json.Values), new SqlComparer());
    }

    [Fact]
    public void Quotes_comments_and_semicolons_stay_inside_parameters()
    {
        var (sql, values) = Compile(CqlTextParser.Parse("notes = 'x''; DROP TABLE samples; -- /* */'"));
        Assert.Equal("(notes = normalize($1, NFC))", sql);
        Assert.Equal(["x'; DROP TABLE samples; -- /* */"], values);
    }

    [Fact]
    public void A_quote_in_a_string_is_written_twice_or_after_a_backslash()
    {
        var (sql, values) = Compile(CqlTextParser.Parse(@"notes = 'O\'Brien' OR notes = 'O''Brien' OR notes LIKE 'a\%\'%'"));
        Assert.Equal("((notes = normalize($1, NFC)) OR (notes = normalize($2, NFC)) OR (notes LIKE normalize($3, NFC)))", sql);
        Assert.Equal(["O'Brien", "O'Brien", @"a\%'%"], values);
    }

    [Fact]
    public void Spatial_and_temporal_literals()
    {
        var (sql, values) = Compile(CqlTextParser.Parse(
            "S_INTERSECTS(geometry, POINT(-1.5 6)) AND T_INTERSECTS(sampled_at, INTERVAL('2024-01-01', '..'))"));
        Assert.Equal("(ST_Intersects(geom, $1) AND (sampled_at < 'infinity'::timestamptz AND (sampled_at + interval '1 microsecond') > $2))", sql);
        Assert.Equal("POINT (-1.5 6)", values[0].ToString());
        Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), values[1]);

        var utm = Compile(CqlTextParser.Parse("S_WITHIN(geometry, BBOX(600000, 600000, 610000, 610000))"), OgcCrs.Epsg(32630));
        Assert.Equal("ST_Within(geom, (SELECT ST_Transform(ST_Segmentize($1, $2), 4326)))", utm.Sql);
        Assert.Equal(32630, ((NetTopologySuite.Geometries.Geometry)utm.Values[0]).SRID);
        Assert.Equal(10000.0, utm.Values[1]); // every 10 km, as long as that is at most ProjectedDomain.MaxVertices vertices
        var latLon = Compile(CqlTextParser.Parse("S_INTERSECTS(geometry, POINT(6 -1.5))"), OgcCrs.Epsg(4326));
        Assert.Equal("ST_Intersects(geom, (SELECT ST_FlipCoordinates($1)))", latLon.Sql);
    }

    [Fact]
    public void Projected_literals_are_densified_within_a_shared_vertex_budget()
    {
        // One huge UTM box: every 10 km would be millions of vertices; its pieces get at most 2 000 each.
        static IEnumerable<double> Vertices(object[] values) => values.Zip(values.Skip(1))
            .Where(p => p.First is NetTopologySuite.Geometries.Geometry && p.Second is double)
            .Select(p => ((NetTopologySuite.Geometries.Geometry)p.First).Length / (double)p.Second);
        var one = Compile(CqlTextParser.Parse("S_INTERSECTS(geometry, BBOX(0, 0, 1e12, 1e12))"), OgcCrs.Epsg(32630)).Values;
        Assert.NotEmpty(Vertices(one));
        Assert.All(Vertices(one), n => Assert.InRange(n, 1, ProjectedDomain.MaxVertices));
        // Forty of them in one filter share the budget (twice MaxVertices, at least 100 each): no filter densifies to
        // hundreds of thousands of vertices.
        var forty = Compile(CqlTextParser.Parse(string.Join(" OR ", Enumerable.Range(0, 40).Select(i => $"S_INTERSECTS(geometry, BBOX({i}, 0, 1e12, 1e12))"))),
            OgcCrs.Epsg(32630)).Values;
        Assert.Equal(80, Vertices(forty).Count()); // each box reaches past the pole: this side and the far side
        Assert.All(Vertices(forty), n => Assert.InRange(n, 1, 2.0 * ProjectedDomain.MaxVertices / 40 + 1));
    }

    [Theory]
    [InlineData("value = 1 OR", "position 13")]
    [InlineData("(matrix = 'soil'", "position 17")]
    [InlineData("matrix = 'soil' ) ", "position 17")]
    [InlineData("sampled_at LIKE 'x'", "position 1")]
    [InlineData("T_INTERSECTS(matrix, DATE('2024-01-01'))", "position 14")]
    public void Errors_say_where(string filter, string where)
    {
        var error = Assert.Throws<CqlException>(() => Compile(CqlTextParser.Parse(filter)));
        Assert.Equal(where, error.At);
    }

    private sealed class SqlComparer : IEqualityComparer<(string Sql, object[] Values)>
    {
        public bool Equals((string Sql, object[] Values) x, (string Sql, object[] Values) y) => x.Sql == y.Sql && x.Values.SequenceEqual(y.Values);
        public int GetHashCode((string Sql, object[] Values) obj) => obj.Sql.GetHashCode();
    }
}
