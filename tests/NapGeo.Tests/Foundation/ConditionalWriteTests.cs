using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

/// <summary>If-Match compared as RFC 9110 says, and bodies whose keys repeat.</summary>
[Collection(ApiCollection.Name)]
public sealed class ConditionalWriteTests(NapGeoServer server)
{
    private static JsonObject Rename(string name) => new() { ["properties"] = new JsonObject { ["name"] = name } };

    private async Task<HttpResponseMessage> PatchAsync(Guid id, JsonNode body, string ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/sites/{id}") { Content = Body(body) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await server.Editor().SendAsync(request);
    }

    /// <summary>Strong comparison is of the exact tag: "v01" matched version 1, and "V1" was a 400 "Bad If-Match".</summary>
    [Theory]
    [InlineData("\"v01\"")]
    [InlineData("\"V1\"")]
    [InlineData("\"v+1\"")]
    [InlineData("\"v1x\", \"v01-gzip\"")]
    public async Task A_tag_that_is_not_exactly_the_current_one_is_412_and_changes_nothing(string ifMatch)
    {
        var (id, _, _) = await server.Editor().CreateAsync("sites", Site());
        var response = await PatchAsync(id, Rename("Changed"), ifMatch);
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("Test site", await server.Database.ScalarAsync<string>("SELECT name FROM sites WHERE id = $1", id));
        Assert.Equal(1, await server.Database.ScalarAsync<int>("SELECT version FROM sites WHERE id = $1", id));

        Assert.Equal(HttpStatusCode.OK, (await PatchAsync(id, Rename("Changed"), "\"v1-gzip\"")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PatchAsync(id, Rename("Changed"), "v2")).StatusCode); // no entity-tag at all
    }

    /// <summary>If-Match: * needs only that the feature exists: concurrent writers with it each got a 412 "has changed
    /// since you read it" when another landed between their read and their update.</summary>
    [Fact]
    public async Task Concurrent_patches_with_If_Match_star_all_succeed_and_each_is_applied()
    {
        var (id, _, _) = await server.Editor().CreateAsync("sites", Site());
        const int writers = 12;
        var answers = await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(() => PatchAsync(id, Rename($"Writer {i}"), "*"))));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(1 + writers, await server.Database.ScalarAsync<int>("SELECT version FROM sites WHERE id = $1", id));
        Assert.Equal((long)writers, await server.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE row_id = $1 AND action = 'update'", id));
    }

    [Fact]
    public async Task A_key_given_twice_is_a_400_naming_it_and_nothing_is_written()
    {
        var client = server.Editor();
        var feature = Site();
        var code = feature["properties"]!["site_code"]!.GetValue<string>();
        var site = feature.ToJsonString();
        var twice = site.Replace("\"name\":\"Test site\"", "\"name\":\"first\",\"name\":\"second\"");
        Assert.NotEqual(site, twice);
        var posted = await client.PostAsync("/api/sites", new StringContent(twice, Encoding.UTF8, "application/geo+json"));
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.Contains("'name'", (await posted.JsonAsync())["detail"]!.GetValue<string>());
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM sites WHERE site_code = $1", code));

        var (id, etag, _) = await client.CreateAsync("sites", Site());
        var patch = $$"""{"geometry":{{Square(-1.5, 5.5).ToJsonString()}},"geometry":{{Square(-1.6, 5.6).ToJsonString()}}}""";
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/sites/{id}") { Content = new StringContent(patch, Encoding.UTF8, "application/merge-patch+json") };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        var patched = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        Assert.Equal("application/problem+json", patched.Content.Headers.ContentType!.MediaType);
        Assert.Contains("'geometry'", (await patched.JsonAsync())["detail"]!.GetValue<string>());
        Assert.Equal(1, await server.Database.ScalarAsync<int>("SELECT version FROM sites WHERE id = $1", id));
    }
}
