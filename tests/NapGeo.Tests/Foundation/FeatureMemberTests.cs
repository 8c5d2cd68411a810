using System.Net;
using System.Text;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

/// <summary>
/// A body's top-level members must be a Feature's (type, id, bbox, geometry, properties; and the legacy crs). A merge
/// patch of <c>{"notes":"changed"}</c> or <c>{"Properties":{…}}</c> answered 200, changed nothing, bumped the version and
/// wrote an audit row.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class FeatureMemberTests(NapGeoServer server)
{
    [Theory]
    [InlineData("application/merge-patch+json", """{"notes":"changed"}""", "notes", "is a property")]
    [InlineData("application/json", """{"Properties":{"notes":"changed"}}""", "Properties", "write \"properties\"")]
    [InlineData("application/merge-patch+json", """{"type":"Feature","propertes":{"notes":"changed"}}""", "propertes", "is not a member of a GeoJSON Feature")]
    public async Task A_patch_with_an_unknown_member_is_a_400_naming_it_and_writes_nothing(string contentType, string body, string member, string hint)
    {
        var client = server.Editor();
        var (id, etag, _) = await client.CreateAsync("sites", Site());
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/sites/{id}") { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.Equal([member], errors.Select(e => e.Key));
        Assert.Contains(hint, errors[member]![0]!.GetValue<string>());
        Assert.Equal(1, await server.Database.ScalarAsync<int>("SELECT version FROM sites WHERE id = $1", id));
        Assert.Equal("(none)", await server.Database.ScalarAsync<string>("SELECT coalesce(notes, '(none)') FROM sites WHERE id = $1", id));
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE row_id = $1 AND action = 'update'", id));
    }

    [Fact]
    public async Task Post_and_put_refuse_unknown_members_and_take_a_feature_as_get_gave_it()
    {
        var client = server.Editor();
        var site = Site();
        site["title"] = "a foreign member";
        var posted = await client.SendAsync(HttpMethod.Post, "/api/sites", site);
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.True((await posted.JsonAsync())["errors"]!.AsObject().ContainsKey("title"));

        var (id, etag, json) = await client.CreateAsync("sites", Site());
        json["properties"]!["notes"] = "round trip"; // what GET gave (id and all), sent back changed
        json["bbox"] = new System.Text.Json.Nodes.JsonArray(-1.9, 5.3, -1.89, 5.31);
        var put = await client.SendAsync(HttpMethod.Put, $"/api/sites/{id}", json, etag);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("round trip", await server.Database.ScalarAsync<string>("SELECT notes FROM sites WHERE id = $1", id));
    }
}
