using System.Net;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Tiles;

/// <summary>A server where reads need a key (NapGeo:RequireKeyForReads): tiles, TileJSON and the style too.</summary>
public sealed class KeyedReadsServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("NapGeo:RequireKeyForReads", "true")];
}

public sealed class TileKeyedReadsTests(KeyedReadsServer server) : IClassFixture<KeyedReadsServer>
{
    [Theory]
    [InlineData("/tiles/napgeo/0/0/0.mvt")]
    [InlineData("/tiles/napgeo.json")]
    [InlineData("/styles/napgeo.json")]
    public async Task Tiles_need_a_key_when_reads_do(string path)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client().GetAsync(path)).StatusCode);
        var response = await server.Client(server.ViewerKey).GetAsync(path);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent, $"{path}: {(int)response.StatusCode}");
    }

    /// <summary>
    /// A browser asks before it sends X-Api-Key to another origin, and the preflight carries no key (Fetch standard):
    /// authorization ran before CORS and refused it with a 401, so a viewer elsewhere could not load a tile at all.
    /// </summary>
    [Fact]
    public async Task A_preflight_for_a_keyed_tile_is_answered_without_a_key()
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/tiles/napgeo/0/0/0.mvt");
        preflight.Headers.Add("Origin", "https://mapx.example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key");
        var answer = await server.Client().SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("x-api-key", answer.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);

        // The tile itself still needs the key, and its 401 is readable there.
        var request = new HttpRequestMessage(HttpMethod.Get, "/tiles/napgeo/0/0/0.mvt");
        request.Headers.Add("Origin", "https://mapx.example.org");
        var refused = await server.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("*", refused.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }
}
