using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Foundation;

/// <summary>
/// RFC 9110 9.1: a server that answers GET answers HEAD. Endpoints mapped with MapGet alone (health, TileJSON, the style,
/// guidelines, profiles, the viewer's settings) answered HEAD with 405, so monitors and link checkers took them for broken.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HeadOnEveryGetTests(NapGeoServer server)
{
    private sealed record Route(string Pattern, string Access);

    /// <summary>Every GET route, with what it asks of the caller (so a HEAD cannot be laxer than its GET).</summary>
    private IReadOnlyList<Route> Routes(string method) =>
        server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(method) == true)
            .Select(e => new Route(e.RoutePattern.RawText!, e.Metadata.GetMetadata<IAllowAnonymous>() is not null
                ? "anonymous"
                : string.Join(",", e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).Order())))
            .ToList();

    [Fact]
    public void Every_get_route_has_a_head_route_with_the_same_authorization()
    {
        var heads = Routes(HttpMethods.Head);
        var missing = Routes(HttpMethods.Get).Where(get => !heads.Contains(get)).ToList();
        Assert.True(missing.Count == 0, "GET without a HEAD of the same access: " + string.Join("; ", missing));
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    [InlineData("/tiles/napgeo.json")]
    [InlineData("/styles/napgeo.json")]
    [InlineData("/api/guidelines")]
    [InlineData("/api/guidelines/default")]
    [InlineData("/api/countries/GHA/profile")]
    [InlineData("/viewer/config.json")]
    public async Task Head_answers_what_get_answers_without_the_body(string path)
    {
        var get = await server.Client().GetAsync(path);
        var head = await server.Client().SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.NotEqual(HttpStatusCode.MethodNotAllowed, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_on_an_editors_resource_needs_the_editors_key()
    {
        var head = await server.Client(server.ViewerKey).SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/uploads"));
        Assert.Equal(HttpStatusCode.Forbidden, head.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Editor().SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/uploads"))).StatusCode);
    }
}
