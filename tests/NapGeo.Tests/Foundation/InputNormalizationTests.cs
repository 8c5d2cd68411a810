using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Database;
using NapGeo.Tests.Features;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

/// <summary>What the REST layer makes of input at its edges: text, timestamps, magnitudes, patches, units.</summary>
[Collection(ApiCollection.Name)]
public sealed class InputNormalizationTests(NapGeoServer server)
{
    [Fact]
    public async Task A_lone_surrogate_in_a_string_is_malformed_json_not_a_server_error()
    {
        const string body = """
            {"type":"Feature","geometry":{"type":"Point","coordinates":[-1.95,5.31]},
             "properties":{"external_id":"T8\ud800","campaign":"REV","matrix":"water","value":1,"unit":"µg/L"}}
            """;
        var response = await server.Editor().PostAsync("/api/samples", new StringContent(body, Encoding.UTF8, "application/geo+json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("$.properties.external_id", (await response.JsonAsync())["detail"]!.GetValue<string>());
    }

    /// <summary>pandas and json.dumps write an integer column that holds nulls as floats: 87.0 miners was refused.</summary>
    [Theory]
    [InlineData("87.0", 87)]
    [InlineData("8.7e1", 87)]
    [InlineData("87", 87)]
    [InlineData("87.5", null)]
    [InlineData("3e9", null)]
    public async Task Whole_numbers_written_as_reals_are_integers(string json, int? stored)
    {
        var site = Site();
        site["properties"]!["miners_total"] = JsonNode.Parse(json);
        site["properties"]!["miners_women"] = null;
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/sites", site);
        var body = await response.JsonAsync();
        if (stored is { } miners)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
            Assert.Equal("87", body["properties"]!["miners_total"]!.ToJsonString());
            Assert.Equal(miners, body["properties"]!["miners_total"]!.GetValue<int>());
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("must be a whole number.", body["errors"]!["properties.miners_total"]![0]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("03/04/2024", null)] // 3 April or 4 March? refused, not guessed
    [InlineData("10:30", null)]
    [InlineData("March 2024", null)]
    [InlineData("2024-04-03", "2024-04-03T00:00:00Z")]
    [InlineData("2024-04-03T10:30:00+02:00", "2024-04-03T08:30:00Z")]
    [InlineData("2024-04-03 10:30", "2024-04-03T10:30:00Z")]
    public async Task Timestamps_are_iso_8601_or_refused(string text, string? stored)
    {
        var sample = Sample(-1.95, 5.31);
        sample["properties"]!["sampled_at"] = text;
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/samples", sample);
        var json = await response.JsonAsync();
        if (stored is null)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("properties.sampled_at", json["errors"]!.AsObject().Select(e => e.Key));
        }
        else
        {
            Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToJsonString());
            Assert.Equal(stored, json["properties"]!["sampled_at"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Text_is_stored_composed_so_an_accent_typed_two_ways_is_one_value_and_found_both_ways()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        // Written out: the tests, like the API, run without ICU, where string.Normalize leaves accents as they are.
        var composed = $"R\u00e9gion Sefw\u00ed {tag}";
        var decomposed = $"Re\u0301gion Sefwi\u0301 {tag}"; // é and í as e/i + a combining acute accent
        foreach (var (admin1, name) in new[] { (composed, composed), (decomposed, decomposed) })
        {
            var site = Site();
            site["properties"]!["admin1"] = admin1;
            site["properties"]!["name"] = name;
            await server.Editor().CreateAsync("sites", site);
        }
        // One area, as the statistics group it, stored in the composed form.
        Assert.Equal(composed, await server.Database.ScalarAsync<string>(
            "SELECT string_agg(DISTINCT admin1, '|') FROM sites WHERE admin1 LIKE $1", $"%{tag}"));
        // Filters and searches typed either way find both.
        foreach (var typed in new[] { composed, decomposed })
        {
            var filtered = await server.Client().GetJsonAsync($"/ogc/collections/sites/items?admin1={Uri.EscapeDataString(typed)}");
            Assert.Equal(2, filtered["numberMatched"]!.GetValue<int>());
            var cql = await server.Client().GetJsonAsync($"/ogc/collections/sites/items?filter={Uri.EscapeDataString($"admin1 LIKE '{typed.Split(' ')[0]}%'")}");
            Assert.Equal(2, cql["features"]!.AsArray().Count(f => f!["properties"]!["admin1"]!.GetValue<string>().EndsWith(tag, StringComparison.Ordinal)));
            var searched = await server.Client().GetJsonAsync($"/api/sites?q={Uri.EscapeDataString(typed.Split(' ')[1])}&limit=1000");
            Assert.Equal(2, searched["features"]!.AsArray().Count(f => f!["properties"]!["name"]!.GetValue<string>().EndsWith(tag, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Codes_are_read_whatever_their_case_and_with_spaces_for_underscores()
    {
        var site = Site();
        site["properties"]!["status"] = "Active";
        site["properties"]!["deposit_type"] = "Hard rock";
        site["properties"]!["legal_status"] = "Formalization-in-progress";
        var (id, _, created) = await server.Editor().CreateAsync("sites", site);
        Assert.Equal("active", created["properties"]!["status"]!.GetValue<string>());
        Assert.Equal("hard_rock|formalization_in_progress", await server.Database.ScalarAsync<string>(
            "SELECT deposit_type || '|' || legal_status FROM sites WHERE id = $1", id));
        var found = await server.Client().GetJsonAsync($"/api/sites?status=ACTIVE&deposit_type=hard%20rock&limit=1000");
        Assert.Contains(found["features"]!.AsArray(), f => f!["id"]!.GetValue<string>() == id.ToString());

        site["properties"]!["status"] = "Actve";
        var typo = await server.Editor().SendAsync(HttpMethod.Post, "/api/sites", site);
        Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
        Assert.Contains("'Actve' is not one of: active, inactive, abandoned, unknown.", (await typo.JsonAsync())["errors"]!["properties.status"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Text_is_trimmed_blanks_are_null_and_numbers_are_bounded()
    {
        var site = Site();
        site["properties"]!["admin1"] = "  Geita ";
        site["properties"]!["admin2"] = "";
        var (_, _, created) = await server.Editor().CreateAsync("sites", site);
        Assert.Equal("Geita", created["properties"]!["admin1"]!.GetValue<string>());
        Assert.Null(created["properties"]!["admin2"]);

        var huge = Site();
        huge["properties"]!["mercury_use_kg_yr"] = 1e308;
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/sites", huge);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("properties.mercury_use_kg_yr", (await response.JsonAsync())["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Rows_written_before_the_trim_are_trimmed_by_the_migration()
    {
        var (id, _, _) = await server.Editor().CreateAsync("sites", Site());
        await using var db = server.Database.CreateDataSource();
        await using (var pad = db.CreateCommand("UPDATE sites SET admin1 = ' Western ', admin2 = '' WHERE id = $1"))
        {
            pad.Parameters.Add(new() { Value = id });
            await pad.ExecuteNonQueryAsync();
        }
        await using (var migrate = db.CreateCommand(SqlResource.Load("Database.Migrations.0070_trim_area_names.sql"))) await migrate.ExecuteNonQueryAsync();
        Assert.Equal("Western|null", await server.Database.ScalarAsync<string>(
            "SELECT admin1 || '|' || coalesce(admin2, 'null') FROM sites WHERE id = $1", id));
    }

    [Fact]
    public async Task A_merge_patch_may_leave_out_the_type()
    {
        var client = server.Editor();
        var (id, etag, _) = await client.CreateAsync("sites", Site());
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/sites/{id}")
        {
            Content = new StringContent("""{"properties":{"name":"Renamed"}}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        request.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(etag));
        var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("Renamed", (await response.JsonAsync())["properties"]!["name"]!.GetValue<string>());
        // A create still needs a Feature.
        var bad = await client.PostAsync("/api/sites", new StringContent("""{"properties":{"name":"x"}}""", Encoding.UTF8, "application/geo+json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Accented_units_are_read_and_women_miners_count_only_beside_a_total()
    {
        var urine = Sample(-1.95, 5.31, "urine", 3.5, "µg/g créatinine");
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/samples", urine);
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToJsonString());
        Assert.Equal("µg/g creatinine", json["properties"]!["unit_normalized"]!.GetValue<string>());

        const string country = "SUR";
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM sites WHERE country = $1", country));
        var counted = Site(lon: -55.2, lat: 4.9);
        counted["properties"]!["country"] = country;
        var partial = Site(lon: -55.3, lat: 4.8);
        partial["properties"]!["country"] = country;
        partial["properties"]!.AsObject().Remove("miners_total");
        partial["properties"]!["miners_women"] = 50;
        await server.Editor().CreateAsync("sites", counted);
        await server.Editor().CreateAsync("sites", partial);
        var stats = await server.Client().GetJsonAsync("/api/stats?country=sur&level=country"); // lower case is read too
        var miners = stats["areas"]![0]!["miners"]!;
        Assert.Equal(120, miners["total"]!.GetValue<long>());
        Assert.Equal(40, miners["women"]!.GetValue<long>()); // the 50 of the site without a total would have made women > total
    }

    /// <summary>
    /// GIS tools write an empty attribute as null. Where the column has a default (status, the practices, below_detection)
    /// null is "not given", as an empty upload cell is, and a merge patch's null removes the value back to it (RFC 7396);
    /// it was sent to the database as NULL and came back as a 400 naming a constraint, without field-level errors.
    /// </summary>
    [Fact]
    public async Task A_null_for_a_field_with_a_default_takes_the_default()
    {
        var site = Site();
        site["properties"]!["status"] = null;
        site["properties"]!["retorts"] = null;
        site["properties"]!["deposit_type"] = "";
        var (id, etag, created) = await server.Editor().CreateAsync("sites", site);
        Assert.Equal("unknown", created["properties"]!["status"]!.GetValue<string>());
        Assert.False(created["properties"]!["retorts"]!.GetValue<bool>());
        Assert.Equal("unknown", created["properties"]!["deposit_type"]!.GetValue<string>());

        var patch = await server.Editor().SendAsync(HttpMethod.Patch, $"/api/sites/{id}",
            new JsonObject { ["properties"] = new JsonObject { ["whole_ore_amalgamation"] = null } }, etag);
        var patched = await patch.JsonAsync();
        Assert.True(patch.StatusCode == HttpStatusCode.OK, patched.ToJsonString());
        Assert.False(patched["properties"]!["whole_ore_amalgamation"]!.GetValue<bool>()); // the test site had it true

        var sample = Sample(-1.95, 5.31);
        sample["properties"]!["below_detection"] = null;
        var (_, _, stored) = await server.Editor().CreateAsync("samples", sample);
        Assert.False(stored["properties"]!["below_detection"]!.GetValue<bool>());
    }

    /// <summary>A NUL character in a text property failed the insert as "invalid byte sequence for encoding UTF8: 0x00",
    /// a 400 that named no property.</summary>
    [Fact]
    public async Task A_nul_character_in_a_text_property_is_a_400_naming_it()
    {
        var site = Site();
        site["properties"]!["name"] = "Pit\u00001";
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/sites", site);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("holds the NUL character (U+0000), which text cannot store.",
            (await response.JsonAsync())["errors"]!["properties.name"]![0]!.GetValue<string>());
    }
}
