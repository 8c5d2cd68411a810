using System.Net;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>Accept with q-values (RFC 9110 12.5.1) on the items and the statistics; <c>f=</c> still wins.</summary>
[Collection(DemoCollection.Name)]
public sealed class NegotiationTests(DemoDataServer server)
{
    private async Task<string> MediaTypeAsync(string path, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        Assert.True(request.Headers.TryAddWithoutValidation("Accept", accept));
        var response = await server.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Content.Headers.ContentType!.MediaType!;
    }

    [Theory]
    [InlineData("text/csv;q=0, application/geo+json", "application/geo+json")] // q=0 is "not acceptable", not a request for CSV
    [InlineData("text/csv;q=0.5, application/geo+json", "application/geo+json")]
    [InlineData("application/geo+json;q=0.5, text/csv;q=0.9", "text/csv")]
    [InlineData("application/x-ndjson;q=0.2, application/geo+json-seq;q=0.3", "application/geo+json-seq")]
    [InlineData("text/csv, */*;q=0.1", "text/csv")]
    [InlineData("*/*, text/csv;q=0", "application/geo+json")]
    [InlineData("text/*", "text/csv")]
    [InlineData("*/*", "application/geo+json")]
    [InlineData("application/geo+json, application/json", "application/geo+json")] // GDAL
    [InlineData("text/html", "application/geo+json")] // nothing offered is named: the default, not a 406
    // GeoJSON refused by name: */* takes CSV (the GeoJSON answer carries application/geo+json, not application/json).
    [InlineData("application/geo+json;q=0, */*", "text/csv")]
    [InlineData("application/geo+json;q=0, application/*", "application/x-ndjson")]
    public async Task Items_honour_q_values(string accept, string mediaType) =>
        Assert.Equal(mediaType, await MediaTypeAsync("/ogc/collections/samples/items?limit=2", accept));

    [Theory]
    [InlineData("application/geo+json;q=0")]
    [InlineData("application/geo+json;q=0, text/csv;q=0, text/html")]
    [InlineData("*/*;q=0")]
    public async Task Items_refused_in_every_format_offered_are_a_406(string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/ogc/collections/samples/items?limit=2");
        Assert.True(request.Headers.TryAddWithoutValidation("Accept", accept));
        var response = await server.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Contains("text/csv", (await response.Content.ReadAsStringAsync()));
    }

    /// <summary>A feature is GeoJSON only: Accept choosing CSV for it got GeoJSON anyway (200), and its 406 offered CSV,
    /// NDJSON and GeoJSON sequences, none of which it serves.</summary>
    [Theory]
    [InlineData("application/geo+json;q=0")]
    [InlineData("application/geo+json;q=0, text/csv")]
    [InlineData("application/geo+json;q=0, application/*")]
    public async Task A_feature_refused_as_geojson_is_a_406_offering_geojson_alone(string accept)
    {
        var id = await server.Database.ScalarAsync<Guid>("SELECT id FROM samples ORDER BY external_id LIMIT 1");
        var request = new HttpRequestMessage(HttpMethod.Get, $"/ogc/collections/samples/items/{id}");
        Assert.True(request.Headers.TryAddWithoutValidation("Accept", accept));
        var response = await server.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        var detail = (await response.JsonAsync())["detail"]!.GetValue<string>();
        Assert.Contains("application/geo+json", detail);
        foreach (var never in (string[])["text/csv", "application/x-ndjson", "application/geo+json-seq"]) Assert.DoesNotContain(never, detail);
        Assert.Contains($"/ogc/collections/samples/items?id=", detail);
    }

    [Fact]
    public async Task A_feature_is_geojson_whatever_else_accept_names() =>
        Assert.Equal("application/geo+json", await MediaTypeAsync(
            $"/ogc/collections/samples/items/{await server.Database.ScalarAsync<Guid>("SELECT id FROM samples ORDER BY external_id LIMIT 1")}", "text/csv, */*;q=0.1"));

    [Fact]
    public async Task F_wins_over_accept() =>
        Assert.Equal("text/csv", await MediaTypeAsync("/ogc/collections/samples/items?limit=2&f=csv", "application/geo+json, text/csv;q=0"));

    [Theory]
    [InlineData("application/geo+json;q=0, application/json", "application/json")]
    [InlineData("application/json;q=0.1, application/geo+json", "application/geo+json")]
    [InlineData("application/geo+json", "application/geo+json")]
    [InlineData("*/*", "application/json")]
    public async Task Statistics_honour_q_values(string accept, string mediaType) =>
        Assert.Equal(mediaType, await MediaTypeAsync("/api/stats", accept));

    /// <summary>The format of /api/stats follows Accept, so a cache must key on it (RFC 9110 12.5.5): without Vary, a
    /// browser or proxy that stored the JSON answers a later Accept: application/geo+json with it.</summary>
    [Fact]
    public async Task Statistics_vary_on_accept()
    {
        var response = await server.Client().GetAsync("/api/stats?level=country");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Accept", response.Headers.Vary, StringComparer.OrdinalIgnoreCase);
    }
}
