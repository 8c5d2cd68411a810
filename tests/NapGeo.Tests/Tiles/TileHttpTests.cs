using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Tiles.TilesServer;

namespace NapGeo.Tests.Tiles;

/// <summary>The HTTP contract of the tile endpoints: status codes, ETag/304, compression, CORS, cache headers.</summary>
[Collection(TilesCollection.Name)]
public sealed class TileHttpTests(TilesServer server)
{
    [Theory]
    [InlineData("/tiles/napgeo/23/0/0.mvt")]
    [InlineData("/tiles/napgeo/3/8/0.mvt")]
    [InlineData("/tiles/napgeo/3/0/8.pbf")]
    [InlineData("/tiles/napgeo/3/-1/0.mvt")]
    [InlineData("/tiles/napgeo/a/0/0.mvt")]
    [InlineData("/tiles/napgeo/0/0/0.png")]
    [InlineData("/tiles/samples/5/1/1.mvt?matrix=lava")]
    [InlineData("/tiles/samples/5/1/1.mvt?from=yesterday")]
    [InlineData("/tiles/napgeo.json?country=ghana")]
    public async Task Out_of_range_or_malformed_tiles_are_400_problem_details(string path)
    {
        var response = await server.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(400, (int)(await response.JsonAsync())["status"]!);
    }

    [Theory]
    [InlineData("/tiles/roads/1/0/0.mvt")]
    [InlineData("/tiles/roads.json")]
    public async Task Unknown_layers_are_404_problem_details(string path)
    {
        var response = await server.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_OpenAPI_description_of_tiles_names_every_filter_they_take()
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(await server.Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        var description = doc["paths"]!["/tiles/{source}/{z}/{x}/{tile}"]!["get"]!["description"]!.GetValue<string>();
        Assert.All(NapGeo.Tiles.TileFilter.Names, name => Assert.Contains(name, description));
    }

    [Fact]
    public async Task An_empty_tile_is_204_and_pbf_is_accepted()
    {
        var pacific = TileAt(-150, 0, 10);
        var response = await server.Client().GetAsync($"/tiles/napgeo/{pacific.Z}/{pacific.X}/{pacific.Y}.pbf");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_tile_has_a_strong_content_ETag_and_If_None_Match_gives_304()
    {
        var t = TileAt(Lon, Lat, 12);
        var first = await server.GetTileAsync("napgeo", t);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/vnd.mapbox-vector-tile", first.Content.Headers.ContentType!.MediaType);
        Assert.Equal("public, max-age=5", first.Headers.CacheControl!.ToString());
        var etag = first.Headers.ETag!;
        Assert.False(etag.IsWeak);
        // The ETag is a hash of the bytes, so every instance computes the same one.
        Assert.Equal(NapGeo.Tiles.TileService.ETagOf(await first.Content.ReadAsByteArrayAsync()), etag.Tag);

        var again = await server.GetTileAsync("napgeo", t, configure: r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag.Tag, again.Headers.ETag!.Tag);

        var other = await server.GetTileAsync("napgeo", t, configure: r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"stale\"")));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var head = await server.Client().SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/tiles/napgeo/{t.Z}/{t.X}/{t.Y}.mvt"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(etag.Tag, head.Headers.ETag!.Tag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        // Compared weakly (RFC 9110 13.1.2): a proxy that gzipped the tile hands the client W/"…".
        var weak = await server.GetTileAsync("napgeo", t, configure: r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag, isWeak: true)));
        Assert.Equal(HttpStatusCode.NotModified, weak.StatusCode);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task Tiles_are_compressed_when_the_client_accepts_it(string encoding)
    {
        var t = TileAt(Lon, Lat, 12);
        var plain = await server.TileBytesAsync("napgeo", t);
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Get, $"/tiles/napgeo/{t.Z}/{t.X}/{t.Y}.mvt");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        var response = await client.SendAsync(request);
        Assert.Equal(encoding, Assert.Single(response.Content.Headers.ContentEncoding));
        await using var body = await response.Content.ReadAsStreamAsync();
        await using Stream decoder = encoding == "gzip" ? new GZipStream(body, CompressionMode.Decompress) : new BrotliStream(body, CompressionMode.Decompress);
        using var decoded = new MemoryStream();
        await decoder.CopyToAsync(decoded);
        Assert.Equal(plain, decoded.ToArray());
    }

    /// <summary>
    /// A strong tag names one sequence of bytes (RFC 9110 8.8.3): the gzip, brotli and plain bytes of a tile carried the
    /// same one, so a cache could answer a range or a revalidation of one coding with bytes of another.
    /// </summary>
    [Fact]
    public async Task Each_content_coding_of_a_tile_has_its_own_strong_ETag_and_its_own_304()
    {
        var t = TileAt(Lon, Lat, 12);
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        async Task<HttpResponseMessage> Get(string? encoding, EntityTagHeaderValue? ifNoneMatch = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/tiles/napgeo/{t.Z}/{t.X}/{t.Y}.mvt");
            if (encoding is not null) request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
            if (ifNoneMatch is not null) request.Headers.IfNoneMatch.Add(ifNoneMatch);
            return await client.SendAsync(request);
        }

        var tags = new Dictionary<string, EntityTagHeaderValue>();
        foreach (var encoding in new[] { "identity", "gzip", "br" })
        {
            var response = await Get(encoding == "identity" ? null : encoding);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(encoding == "identity" ? [] : [encoding], response.Content.Headers.ContentEncoding);
            Assert.False(response.Headers.ETag!.IsWeak);
            tags[encoding] = response.Headers.ETag;
            if (encoding == "identity")
                Assert.Equal(NapGeo.Tiles.TileService.ETagOf(await response.Content.ReadAsByteArrayAsync()), response.Headers.ETag.Tag);
        }
        Assert.Equal(3, tags.Values.Select(e => e.Tag).Distinct().Count());

        foreach (var (encoding, tag) in tags)
        {
            var again = await Get(encoding == "identity" ? null : encoding, tag);
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(tag.Tag, again.Headers.ETag!.Tag);
        }
    }

    [Theory]
    [InlineData("/tiles/napgeo/0/0/0.mvt")]
    [InlineData("/tiles/napgeo.json")]
    [InlineData("/styles/napgeo.json")]
    public async Task Viewers_on_other_origins_may_read_tiles_TileJson_and_the_style(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", "https://mapx.example.org");
        var response = await server.Client().SendAsync(request);
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", "https://mapx.example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key");
        var answer = await server.Client().SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Contains("GET", answer.Headers.GetValues("Access-Control-Allow-Methods").Single());
    }

    [Fact]
    public async Task Cache_statistics_are_for_admins()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client(server.ViewerKey).GetAsync("/admin/tiles/cache")).StatusCode);
        await server.TileBytesAsync("napgeo", TileAt(Lon, Lat, 11));
        var stats = await server.JsonAsync("/admin/tiles/cache", server.AdminKey);
        Assert.True((int)stats["tiles"]! >= 1);
        Assert.True((long)stats["bytes"]! > 0);
        Assert.Equal(256L * 1024 * 1024, (long)stats["max_bytes"]!);
    }
}
