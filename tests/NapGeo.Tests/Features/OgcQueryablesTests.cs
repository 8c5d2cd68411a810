using System.Text.Json;
using System.Text.Json.Nodes;

namespace NapGeo.Tests.Features;

/// <summary>The queryables' JSON Schema says what is served: which values may be null, and how timestamps are written.</summary>
[Collection(DemoCollection.Name)]
public sealed class OgcQueryablesTests(DemoDataServer server)
{
    /// <summary>
    /// value was declared a number with nothing saying below-detection samples have null. The type stays one string
    /// (QGIS drops a queryable whose type is an array), and the description says null exactly where the column allows it.
    /// </summary>
    [Theory]
    [InlineData("sites")]
    [InlineData("hotspots")]
    [InlineData("samples")]
    public async Task A_property_is_described_as_possibly_null_exactly_when_its_column_is_nullable(string collection)
    {
        var properties = (await server.Client().GetJsonAsync($"/ogc/collections/{collection}/queryables"))["properties"]!.AsObject();
        var nullable = new Dictionary<string, bool>();
        await using (var db = server.Database.CreateDataSource())
        await using (var cmd = db.CreateCommand(
            "SELECT column_name, is_nullable = 'YES' FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1"))
        {
            cmd.Parameters.Add(new() { Value = collection });
            await using var row = await cmd.ExecuteReaderAsync();
            while (await row.ReadAsync()) nullable[row.GetString(0)] = row.GetBoolean(1);
        }
        foreach (var (name, schema) in properties.Where(p => p.Key != "geometry"))
        {
            Assert.Equal(JsonValueKind.String, schema!["type"]!.GetValueKind());
            var description = schema["description"]!.GetValue<string>();
            Assert.True(nullable[name] == description.Contains("null", StringComparison.OrdinalIgnoreCase),
                $"{collection}.{name}: nullable {nullable[name]}, described \"{description}\"");
        }
        if (collection == "samples") Assert.Contains("null", properties["value"]!["description"]!.GetValue<string>());
    }

    /// <summary>sampled_at is declared date-time (what filters compare) while /ogc writes its day: the description says so.</summary>
    [Fact]
    public async Task A_timestamp_written_as_its_day_says_so()
    {
        var client = server.Client();
        var sampledAt = (await client.GetJsonAsync("/ogc/collections/samples/queryables"))["properties"]!["sampled_at"]!;
        Assert.Equal("date-time", sampledAt["format"]!.GetValue<string>());
        var description = sampledAt["description"]!.GetValue<string>();
        var served = (await client.GetJsonAsync("/ogc/collections/samples/items?limit=1"))["features"]![0]!["properties"]!["sampled_at"]!.GetValue<string>();
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", served);
        Assert.Contains("UTC day", description);
        Assert.Contains("T_INTERSECTS(sampled_at, DATE(", description);
        // Only what is written as a day says so.
        Assert.DoesNotContain("UTC day", (await client.GetJsonAsync("/ogc/collections/sites/queryables"))["properties"]!["survey_date"]!["description"]!.GetValue<string>());
    }
}
