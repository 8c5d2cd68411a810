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
}
