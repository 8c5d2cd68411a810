using System.Net;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

[Collection(ApiCollection.Name)]
public sealed class AuthTests(NapGeoServer server)
{
    public static TheoryData<string, HttpStatusCode, HttpStatusCode> Matrix => new()
    {
        // caller, read, write
        { "anonymous", HttpStatusCode.OK, HttpStatusCode.Unauthorized },
        { "viewer", HttpStatusCode.OK, HttpStatusCode.Forbidden },
        { "editor", HttpStatusCode.OK, HttpStatusCode.Created },
        { "admin", HttpStatusCode.OK, HttpStatusCode.Created },
        { "forged", HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized }, // a key that is presented must be valid, reads too
    };

    private string? Key(string caller) => caller switch
    {
        "viewer" => server.ViewerKey,
        "editor" => server.EditorKey,
        "admin" => server.AdminKey,
        "forged" => server.EditorKey[..^4] + "AAAA", // right prefix, wrong secret
        _ => null,
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Reads_are_public_and_writes_need_an_editor_or_admin_key(string caller, HttpStatusCode read, HttpStatusCode write)
    {
        var client = server.Client(Key(caller));
        Assert.Equal(read, (await client.GetAsync("/api/sites?limit=1")).StatusCode);
        var code = Unique("AUTH");
        var response = await client.SendAsync(HttpMethod.Post, "/api/sites", Site(code));
        Assert.Equal(write, response.StatusCode);
        if (write != HttpStatusCode.Created)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal((int)write, (await response.JsonAsync())["status"]!.GetValue<int>());
        }
        var stored = await server.Database.ScalarAsync<long>("SELECT count(*) FROM sites WHERE site_code = $1", code);
        Assert.Equal(write == HttpStatusCode.Created ? 1L : 0L, stored);
    }

    /// <summary>An editor refused a guideline change (admin only) was told that writes need an editor or admin key.</summary>
    [Fact]
    public async Task A_403_names_the_role_the_operation_needs()
    {
        var editor = await server.Client(server.EditorKey).SendAsync(HttpMethod.Put, "/api/guidelines/ZZC", new System.Text.Json.Nodes.JsonObject());
        Assert.Equal(HttpStatusCode.Forbidden, editor.StatusCode);
        Assert.Equal("Your API key's role (editor) does not allow this operation: it needs an admin key.",
            (await editor.JsonAsync())["detail"]!.GetValue<string>());
        var viewer = await server.Client(server.ViewerKey).SendAsync(HttpMethod.Post, "/api/sites", Site(Unique("AUTH")));
        Assert.Equal("Your API key's role (viewer) does not allow this operation: it needs an editor or admin key.",
            (await viewer.JsonAsync())["detail"]!.GetValue<string>());
    }

    /// <summary>The key is declared in the OpenAPI document, so /swagger's Authorize button and generated clients send it.</summary>
    [Fact]
    public async Task The_openapi_document_declares_the_key_where_it_is_taken()
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(await server.Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        var scheme = doc["components"]?["securitySchemes"]?["ApiKey"];
        Assert.NotNull(scheme);
        Assert.Equal("apiKey", scheme["type"]!.GetValue<string>());
        Assert.Equal("header", scheme["in"]!.GetValue<string>());
        Assert.Equal("X-Api-Key", scheme["name"]!.GetValue<string>());

        string[][] Requirements(string path, string method) =>
            doc["paths"]![path]![method]!["security"]!.AsArray().Select(r => r!.AsObject().Select(p => p.Key).ToArray()).ToArray();
        Assert.Equal([["ApiKey"]], Requirements("/api/sites", "post")); // writes: a key, no alternative
        Assert.Equal([["ApiKey"]], Requirements("/api/samples/{id}", "delete"));
        Assert.Equal([[], ["ApiKey"]], Requirements("/api/stats", "get")); // reads: none, or a key
    }

    /// <summary>Tiles skip the read policy while reads are public (for speed), and served a revoked or mistyped key.</summary>
    [Theory]
    [InlineData("/tiles/sites/0/0/0.mvt")]
    [InlineData("/tiles/napgeo.json")]
    public async Task A_tile_read_with_a_key_that_is_not_valid_is_a_401(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", "ngk_bad");
        var refused = await server.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.True((await server.Client().GetAsync(path)).IsSuccessStatusCode);
        Assert.True((await server.Client(server.ViewerKey).GetAsync(path)).IsSuccessStatusCode);
    }

    /// <summary>
    /// CORS ran after authentication: a refused key's 401 had no Access-Control-Allow-Origin, so a page on another origin
    /// saw an opaque network error instead of the problem saying why.
    /// </summary>
    [Fact]
    public async Task A_refused_key_is_readable_from_other_origins_and_writes_stay_same_origin()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/sites?limit=1");
        request.Headers.Add("X-Api-Key", "ngk_bad");
        request.Headers.Add("Origin", "https://dashboard.example.org");
        var response = await server.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());

        // Moving CORS must not widen it: another origin may read, not write.
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/sites");
        preflight.Headers.Add("Origin", "https://dashboard.example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key");
        var answer = await server.Client().SendAsync(preflight);
        Assert.False(answer.Headers.TryGetValues("Access-Control-Allow-Methods", out var methods) && methods.Single().Contains("POST"),
            $"{(int)answer.StatusCode} allows {string.Join(",", methods ?? [])}");
    }

    [Fact]
    public async Task Keys_are_stored_hashed_never_in_clear()
    {
        var matches = await server.Database.ScalarAsync<long>(
            "SELECT count(*) FROM api_keys WHERE key_hash = sha256(convert_to($1, 'UTF8')) AND position($1 in prefix) = 0", server.EditorKey);
        Assert.Equal(1L, matches);
    }
}

/// <summary>A server configured with NapGeo:RequireKeyForReads=true.</summary>
public sealed class PrivateReadsServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("NapGeo:RequireKeyForReads", "true")];
}

public sealed class PrivateReadsTests(PrivateReadsServer server) : IClassFixture<PrivateReadsServer>
{
    [Fact]
    public async Task Reads_need_a_key_when_configured()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client().GetAsync("/api/sites")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client(server.ViewerKey).GetAsync("/api/sites")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync("/health")).StatusCode);
    }
}
