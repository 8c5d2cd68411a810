using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

[Collection(ApiCollection.Name)]
public sealed class ProblemDetailsTests(NapGeoServer server)
{
    private static async Task<JsonObject> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", body); // no stack trace
        var json = JsonNode.Parse(body)!.AsObject();
        Assert.Equal((int)status, json["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(json["title"]?.GetValue<string>()));
        Assert.False(string.IsNullOrWhiteSpace(json["detail"]?.GetValue<string>()));
        return json;
    }

    [Fact]
    public async Task Malformed_json_is_400_naming_the_position()
    {
        var response = await server.Editor().PostAsync("/api/sites", new StringContent("{\"type\": \"Feature\", oops", Encoding.UTF8, "application/json"));
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains("BytePositionInLine", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Field_errors_are_listed_per_property()
    {
        var site = Site();
        site["properties"]!["status"] = "closed";
        site["properties"]!["country"] = "Ghana";
        site["properties"]!["miners_total"] = "many";
        site["properties"]!["colour"] = "red";
        var problem = await AssertProblem(await server.Editor().SendAsync(HttpMethod.Post, "/api/sites", site), HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Contains("'closed' is not one of", errors["properties.status"]![0]!.GetValue<string>());
        Assert.Contains("longer than 3", errors["properties.country"]![0]!.GetValue<string>());
        Assert.Contains("whole number", errors["properties.miners_total"]![0]!.GetValue<string>());
        Assert.Contains("is not a property of a site", errors["properties.colour"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Cross_field_rules_are_checked()
    {
        var site = Site();
        site["properties"]!["miners_women"] = 500; // more than miners_total = 120
        site["properties"]!["country"] = "gha";
        var problem = await AssertProblem(await server.Editor().SendAsync(HttpMethod.Post, "/api/sites", site), HttpStatusCode.BadRequest);
        Assert.Contains("more than miners_total", problem["errors"]!["properties.miners_women"]![0]!.GetValue<string>());
        Assert.Contains("ISO 3166-1 alpha-3", problem["errors"]!["properties.country"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/api/sites?limit=0", "limit")]
    [InlineData("/api/sites?bbox=1,2,3", "bbox")]
    [InlineData("/api/samples?matrix=lava", "matrix")]
    [InlineData("/api/sites/not-a-uuid", "")]
    public async Task Bad_query_parameters_are_4xx_problems(string url, string named)
    {
        var response = await server.Client().GetAsync(url);
        var status = url.EndsWith("not-a-uuid") ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest;
        var problem = await AssertProblem(response, status);
        Assert.Contains(named, problem.ToJsonString());
    }

    /// <summary>The binder's own words named the handler's C# parameter: 'Failed to bind parameter "Nullable&lt;int&gt; Limit"'.</summary>
    [Theory]
    [InlineData("/api/sites?limit=abc", "limit: 'abc' is not a whole number.")]
    [InlineData("/api/samples?offset=1.5", "offset: '1.5' is not a whole number.")]
    public async Task A_query_value_of_the_wrong_type_is_named_as_the_caller_wrote_it(string url, string detail)
    {
        var problem = await AssertProblem(await server.Client().GetAsync(url), HttpStatusCode.BadRequest);
        Assert.Equal("Invalid query parameter", problem["title"]!.GetValue<string>());
        Assert.Equal(detail, problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_query_value_of_the_wrong_type_is_named_as_written_when_it_differs_from_the_handlers_name()
    {
        var problem = await AssertProblem(await server.Editor().PostAsync("/api/hotspots/derive?eps_m=abc", null), HttpStatusCode.BadRequest);
        Assert.Equal("eps_m: 'abc' is not a number.", problem["detail"]!.GetValue<string>());
    }

    /// <summary>A parameter the list does not take was ignored: ?stauts=active (misspelt), ?matrix=soil on sites (another
    /// layer's filter) and ?crs= (a write option) answered the whole layer, numberMatched and all, as if filtered.</summary>
    [Theory]
    [InlineData("/api/sites?stauts=active", "stauts")]
    [InlineData("/api/sites?matrix=soil", "matrix")]
    [InlineData("/api/samples?crs=EPSG:32630", "crs")]
    public async Task A_list_parameter_that_is_not_taken_is_a_400_naming_it(string url, string named)
    {
        var problem = await AssertProblem(await server.Client().GetAsync(url), HttpStatusCode.BadRequest);
        Assert.Contains(named, problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("bbox, limit, offset, q or a filter (", problem["errors"]![named]![0]!.GetValue<string>()); // what is taken
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync("/api/sites?Status=active&q=a&limit=1")).StatusCode);
    }

    /// <summary>A write ignored the parameters it does not take: with ?crs misspelt as ?srs, coordinates were read as
    /// lon/lat; ?dry_run=true on a DELETE deleted.</summary>
    [Fact]
    public async Task A_write_parameter_that_is_not_taken_is_a_400_naming_it_and_nothing_is_written()
    {
        var code = Unique("QRY");
        var site = Site(code);
        var refused = await server.Editor().SendAsync(HttpMethod.Post, "/api/sites?srs=EPSG:4326&Repair=false", site);
        var problem = await AssertProblem(refused, HttpStatusCode.BadRequest);
        Assert.Equal(["srs"], problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("crs, repair", problem["errors"]!["srs"]![0]!.GetValue<string>()); // what is taken
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM sites WHERE site_code = $1", code));

        var (id, etag, _) = await server.Editor().CreateAsync("sites", site);
        var patch = new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["name"] = "Renamed" } };
        problem = await AssertProblem(await server.Editor().SendAsync(HttpMethod.Patch, $"/api/sites/{id}?crs=EPSG:4326&fields=name", patch, etag),
            HttpStatusCode.BadRequest);
        Assert.Equal(["fields"], problem["errors"]!.AsObject().Select(e => e.Key));
        await AssertProblem(await server.Editor().SendAsync(HttpMethod.Put, $"/api/sites/{id}?force=true", site, etag), HttpStatusCode.BadRequest);
        problem = await AssertProblem(await server.Editor().SendAsync(HttpMethod.Delete, $"/api/sites/{id}?dry_run=true"), HttpStatusCode.BadRequest);
        Assert.Contains("takes none", problem["errors"]!["dry_run"]![0]!.GetValue<string>());
        Assert.Equal("Test site", await server.Database.ScalarAsync<string>("SELECT name FROM sites WHERE id = $1", id));
        Assert.Equal(HttpStatusCode.NoContent, (await server.Editor().SendAsync(HttpMethod.Delete, $"/api/sites/{id}")).StatusCode);
    }

    /// <summary>The admin writes and the roll-back took any parameter: PUT /api/guidelines/CIV?dry_run=true replaced the set.</summary>
    [Fact]
    public async Task Admin_writes_and_roll_backs_refuse_parameters_they_do_not_take()
    {
        var admin = server.Client(server.AdminKey);
        var set = new JsonObject
        {
            ["name"] = "Côte d'Ivoire (test)",
            ["guidelines"] = new JsonArray(new JsonObject
            {
                ["id"] = "civ-water", ["matrix"] = "water", ["value"] = 1, ["unit"] = "µg/L", ["name"] = "Drinking water", ["source"] = "Test",
            }),
        };
        var problem = await AssertProblem(await admin.SendAsync(HttpMethod.Put, "/api/guidelines/CIV?dry_run=true", set), HttpStatusCode.BadRequest);
        Assert.Contains("takes none", problem["errors"]!["dry_run"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/guidelines/CIV")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Put, "/api/guidelines/CIV", set)).StatusCode);
        await AssertProblem(await admin.DeleteAsync("/api/guidelines/CIV?force=true"), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/guidelines/CIV")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync("/api/guidelines/CIV")).StatusCode);

        await AssertProblem(await server.Editor().DeleteAsync($"/api/uploads/{Guid.NewGuid()}?force=true"), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Editor().DeleteAsync($"/api/uploads/{Guid.NewGuid()}")).StatusCode);
        problem = await AssertProblem(await admin.DeleteAsync("/admin/tiles/cache?layer=sites"), HttpStatusCode.BadRequest);
        Assert.Contains("takes none", problem["errors"]!["layer"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync("/admin/tiles/cache")).StatusCode);
    }

    [Fact]
    public async Task Wrong_content_type_is_415_saying_what_to_send()
    {
        var response = await server.Editor().PostAsync("/api/sites", new StringContent("<xml/>", Encoding.UTF8, "text/xml"));
        var problem = await AssertProblem(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/geo+json", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_that_is_not_a_feature_is_named()
    {
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/sites", new JsonArray(1, 2));
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains("GeoJSON Feature", problem["errors"]!["type"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_value_too_large_to_normalize_is_a_400_and_a_date_at_the_end_of_time_is_served()
    {
        var huge = Sample(-1.0, 6.0, "air", 1e306, "mg/m3");
        var problem = await AssertProblem(await server.Editor().SendAsync(HttpMethod.Post, "/api/samples", huge), HttpStatusCode.BadRequest);
        Assert.Contains("too large", problem["errors"]!["properties.value"]![0]!.GetValue<string>());
        // The last day there is is a valid end date, not an error (its next midnight is out of .NET's range).
        var endOfTime = await server.Client().GetAsync("/tiles/samples/0/0/0.mvt?to=9999-12-31");
        Assert.True(endOfTime.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent, $"{(int)endOfTime.StatusCode}");
    }
}
