using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

[Collection(ApiCollection.Name)]
public sealed class ConcurrencyTests(NapGeoServer server)
{
    private static JsonObject Rename(string name) =>
        new() { ["type"] = "Feature", ["properties"] = new JsonObject { ["name"] = name } };

    [Fact]
    public async Task A_second_writer_with_a_stale_ETag_gets_412_and_the_first_change_survives()
    {
        var client = server.Editor();
        var (id, etag, _) = await client.CreateAsync("sites", Site());

        var first = await client.SendAsync(HttpMethod.Patch, $"/api/sites/{id}", Rename("First"), etag);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var second = await client.SendAsync(HttpMethod.Patch, $"/api/sites/{id}", Rename("Second"), etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);
        Assert.Contains("\"v2\"", (await second.JsonAsync())["detail"]!.GetValue<string>());

        Assert.Equal("First", await server.Database.ScalarAsync<string>("SELECT name FROM sites WHERE id = $1", id));
        Assert.Equal(2, await server.Database.ScalarAsync<int>("SELECT version FROM sites WHERE id = $1", id));
    }

    [Fact]
    public async Task Changes_without_If_Match_get_428_and_a_stale_delete_gets_412()
    {
        var client = server.Editor();
        var (id, _, _) = await client.CreateAsync("sites", Site());
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await client.SendAsync(HttpMethod.Put, $"/api/sites/{id}", Site())).StatusCode);
        // A well-formed tag this API never gave simply does not match (RFC 9110 13.1.1); it was a 400 "Bad If-Match".
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await client.SendAsync(HttpMethod.Patch, $"/api/sites/{id}", Rename("x"), "\"nonsense\"")).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await client.SendAsync(HttpMethod.Delete, $"/api/sites/{id}", ifMatch: "\"v7\"")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, $"/api/sites/{id}", ifMatch: "\"v1\"")).StatusCode);
    }

    /// <summary>If-None-Match on a write is a precondition (RFC 9110 13.1.2): a match is a 412 and nothing is written. The
    /// change was made and then answered 304 Not Modified, with no body.</summary>
    [Fact]
    public async Task A_write_whose_If_None_Match_matches_is_412_and_writes_nothing()
    {
        var client = server.Editor();
        var (id, etag, _) = await client.CreateAsync("sites", Site());
        foreach (var (method, noneMatch) in new[] { (HttpMethod.Patch, "*"), (HttpMethod.Put, etag), (HttpMethod.Delete, "*") })
        {
            var request = new HttpRequestMessage(method, $"/api/sites/{id}");
            if (method != HttpMethod.Delete) request.Content = Body(method == HttpMethod.Put ? Site() : Rename("Changed"));
            request.Headers.IfMatch.Add(System.Net.Http.Headers.EntityTagHeaderValue.Parse(etag));
            request.Headers.TryAddWithoutValidation("If-None-Match", noneMatch);
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        }
        Assert.Equal("Test site", await server.Database.ScalarAsync<string>("SELECT name FROM sites WHERE id = $1", id));
        Assert.Equal(1, await server.Database.ScalarAsync<int>("SELECT version FROM sites WHERE id = $1", id));

        var other = new HttpRequestMessage(HttpMethod.Patch, $"/api/sites/{id}") { Content = Body(Rename("Changed")) };
        other.Headers.IfMatch.Add(System.Net.Http.Headers.EntityTagHeaderValue.Parse(etag));
        other.Headers.TryAddWithoutValidation("If-None-Match", "\"v7\""); // not the current one: the write goes ahead
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(other)).StatusCode);
    }

    /// <summary>If-Match may list several ETags (RFC 9110 13.1.1): the condition holds when one of them is current. A list
    /// was a 400 "not a strong ETag".</summary>
    [Fact]
    public async Task An_If_Match_list_holds_when_one_of_its_tags_is_current()
    {
        var client = server.Editor();
        var (id, _, _) = await client.CreateAsync("sites", Site());
        async Task<HttpStatusCode> SendAsync(HttpMethod method, string ifMatch)
        {
            var request = new HttpRequestMessage(method, $"/api/sites/{id}");
            if (method != HttpMethod.Delete) request.Content = Body(Rename("Listed"));
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            return (await client.SendAsync(request)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Patch, "\"v0\", \"v1\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await SendAsync(HttpMethod.Patch, "\"v1\", \"v3\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await SendAsync(HttpMethod.Delete, "\"v1\", \"v3\""));
        // Weak tags never match (RFC 9110 13.1.1: If-Match compares strongly); the strong one beside it does.
        Assert.Equal(HttpStatusCode.PreconditionFailed, await SendAsync(HttpMethod.Patch, "W/\"v2\", W/\"v1\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await SendAsync(HttpMethod.Delete, "W/\"v2\""));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Patch, "W/\"v2\", \"v2\""));
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(HttpMethod.Patch, "v3")); // not an entity tag at all
        Assert.Equal(HttpStatusCode.NoContent, await SendAsync(HttpMethod.Delete, "\"v9\", \"v3\""));
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM sites WHERE id = $1", id));
    }

    /// <summary>A create or change answered with a re-read after its commit: a delete landing between the two made the
    /// re-read find nothing, and the write that had succeeded was answered 500. The answer now comes from the write's own
    /// transaction. A deleter removes every feature of the test as soon as it is committed.</summary>
    [Fact]
    public async Task A_write_deleted_right_after_its_commit_is_still_answered_with_what_was_written()
    {
        var client = server.Editor();
        var name = Unique("Race");
        using var stop = new CancellationTokenSource();
        await using var db = server.Database.CreateDataSource();
        var deleter = Task.Run(async () =>
        {
            await using var delete = db.CreateCommand("DELETE FROM sites WHERE name = $1");
            delete.Parameters.Add(new() { Value = name });
            var deleted = 0;
            while (!stop.IsCancellationRequested) deleted += await delete.ExecuteNonQueryAsync();
            return deleted;
        });
        try
        {
            for (var i = 0; i < 40; i++)
            {
                var named = Site();
                named["properties"]!["name"] = name;
                var created = await client.SendAsync(HttpMethod.Post, "/api/sites", named);
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                Assert.Equal(name, (await created.JsonAsync())["properties"]!["name"]!.GetValue<string>());

                var (id, etag, _) = await client.CreateAsync("sites", Site());
                var renamed = await client.SendAsync(HttpMethod.Patch, $"/api/sites/{id}", Rename(name), etag);
                Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
                Assert.Equal("\"v2\"", renamed.Headers.ETag!.Tag);
            }
        }
        finally
        {
            // The deleter takes the last ones too, however busy the machine, before it is stopped.
            for (var wait = 0; wait < 300 && await server.Database.ScalarAsync<long>("SELECT count(*) FROM sites WHERE name = $1", name) > 0; wait++)
                await Task.Delay(100);
            await stop.CancelAsync();
        }
        Assert.Equal(80, await deleter);
    }

    [Fact]
    public async Task Changing_a_missing_feature_is_404()
    {
        var response = await server.Editor().SendAsync(HttpMethod.Patch, $"/api/sites/{Guid.NewGuid()}", Rename("x"), "\"v1\"");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task If_Match_star_needs_only_existence_and_weak_ETags_never_match()
    {
        var client = server.Editor();
        var (id, _, _) = await client.CreateAsync("sites", Site());
        var weak = await client.SendAsync(HttpMethod.Patch, $"/api/sites/{id}", Rename("weak"), "W/\"v1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, weak.StatusCode);
        Assert.StartsWith("If-Match names no ETag this site can have", (await weak.JsonAsync())["detail"]!.GetValue<string>());
        Assert.Equal("Test site", await server.Database.ScalarAsync<string>("SELECT name FROM sites WHERE id = $1", id));
        var star = await client.SendAsync(HttpMethod.Patch, $"/api/sites/{id}", Rename("Any version"), "*");
        Assert.Equal(HttpStatusCode.OK, star.StatusCode);
        Assert.Equal("Any version", await server.Database.ScalarAsync<string>("SELECT name FROM sites WHERE id = $1", id));
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Patch, $"/api/sites/{Guid.NewGuid()}", Rename("x"), "*")).StatusCode);
    }
}
