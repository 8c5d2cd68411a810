using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Assessment;

/// <summary>
/// PUT /api/guidelines/{code} reads its body strictly: unknown or misspelt members were dropped (isDefault left a row
/// non-default without a word), and a wrong type was a 400 "Failed to read parameter "SetInput input"" naming no field.
/// </summary>
public sealed class GuidelineSetInputTests(NapGeoServer server) : IClassFixture<NapGeoServer>
{
    private static JsonObject Row() => new()
    {
        ["id"] = "civ-water", ["matrix"] = "water", ["value"] = 1, ["unit"] = "µg/L", ["name"] = "Drinking water", ["source"] = "Test, 2024",
    };

    private static JsonObject Set(JsonObject row) => new() { ["name"] = "Côte d'Ivoire (test)", ["guidelines"] = new JsonArray(row) };

    private async Task<JsonObject> RefusedAsync(JsonNode body)
    {
        var response = await server.Client(server.AdminKey).SendAsync(HttpMethod.Put, "/api/guidelines/CIV", body);
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {json.ToJsonString()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.DoesNotContain("SetInput", json.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client().GetAsync("/api/guidelines/CIV")).StatusCode);
        return json["errors"]!.AsObject();
    }

    [Theory]
    [InlineData("isDefault", "true", "guidelines[0].isDefault", "did you mean is_default?")]
    [InlineData("bogus", "1", "guidelines[0].bogus", "is not a field here; known: id, matrix, value")]
    [InlineData("value", "\"1.5\"", "guidelines[0].value", "must be a number.")]
    [InlineData("year", "\"2020\"", "guidelines[0].year", "must be a whole number.")]
    [InlineData("year", "1850", "guidelines[0].year", "must be a year from 1900 to")]
    [InlineData("year", "3000", "guidelines[0].year", "must be a year from 1900 to")]
    [InlineData("is_default", "\"yes\"", "guidelines[0].is_default", "must be true or false.")]
    [InlineData("url", "\"javascript:alert(1)\"", "guidelines[0].url", "must be an http:// or https:// address.")]
    [InlineData("url", "\"ftp://example.org/standard.pdf\"", "guidelines[0].url", "must be an http:// or https:// address.")]
    [InlineData("source", "42", "guidelines[0].source", "must be a string.")]
    public async Task A_bad_guideline_member_is_a_400_naming_it(string member, string json, string path, string message)
    {
        var row = Row();
        row[member] = JsonNode.Parse(json);
        var errors = await RefusedAsync(Set(row));
        Assert.Equal([path], errors.Select(e => e.Key));
        Assert.Contains(message, errors[path]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_set_members_wrong_shapes_and_long_texts_are_named()
    {
        var extra = Set(Row());
        extra["extra"] = "dropped before";
        Assert.StartsWith("is not a field here", (await RefusedAsync(extra))["extra"]![0]!.GetValue<string>());

        var notAList = new JsonObject { ["name"] = "x", ["guidelines"] = "water" };
        Assert.Equal("must be an array of guidelines.", (await RefusedAsync(notAList))["guidelines"]![0]!.GetValue<string>());

        var longNote = Row();
        longNote["note"] = new string('n', 2001);
        var longDescription = Set(longNote);
        longDescription["description"] = new string('d', 2001);
        var errors = await RefusedAsync(longDescription);
        Assert.Equal(["description", "guidelines[0].note"], errors.Select(e => e.Key).Order());
        Assert.Equal("is longer than 2000 characters.", errors["guidelines[0].note"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_set_with_every_field_well_formed_is_stored_as_sent()
    {
        var row = Row();
        row["is_default"] = true;
        row["url"] = "https://www.who.int/publications/i/item/9789240045064";
        row["year"] = DateTime.UtcNow.Year;
        row["protects"] = "human health";
        row["verified"] = "2024-05";
        row["note"] = "test";
        var admin = server.Client(server.AdminKey);
        var put = await admin.SendAsync(HttpMethod.Put, "/api/guidelines/CIV", Set(row));
        var json = await put.JsonAsync();
        Assert.True(put.StatusCode == HttpStatusCode.OK, json.ToJsonString());
        var stored = json["set"]!["guidelines"]![0]!;
        Assert.Equal(DateTime.UtcNow.Year, stored["year"]!.GetValue<int>());
        Assert.Equal("https://www.who.int/publications/i/item/9789240045064", stored["url"]!.GetValue<string>());
        Assert.True(stored["is_default"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync("/api/guidelines/CIV")).StatusCode);
    }
}
