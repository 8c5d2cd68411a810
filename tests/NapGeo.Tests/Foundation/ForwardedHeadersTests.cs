using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Foundation;

/// <summary>A server behind a proxy on the same host, named in Http:TrustedProxies.</summary>
public sealed class ProxiedServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Http:TrustedProxies", "127.0.0.1")];
}

/// <summary>A request as nginx ending TLS for maps.example.gov passes it on.</summary>
public static class ForwardedProxy
{
    public static async Task<JsonObject> GetAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "maps.example.gov");
        return await (await client.SendAsync(request)).JsonAsync();
    }

    public static string Next(JsonObject page) =>
        page["links"]!.AsArray().First(l => l!["rel"]!.GetValue<string>() == "next")!["href"]!.GetValue<string>();
}

public sealed class ForwardedHeadersTests(ProxiedServer server) : IClassFixture<ProxiedServer>
{
    /// <summary>Behind nginx ending TLS, `next` said http://127.0.0.1:…, which QGIS then followed.</summary>
    [Fact]
    public async Task Behind_a_trusted_proxy_links_carry_the_address_clients_used()
    {
        // Two sites, so that the first page has a next one.
        await server.Editor().CreateAsync("sites", NapGeo.Tests.Infrastructure.Features.Site());
        await server.Editor().CreateAsync("sites", NapGeo.Tests.Infrastructure.Features.Site(lon: -1.8));
        var page = await ForwardedProxy.GetAsync(server.Client(), "/ogc/collections/sites/items?limit=1");
        Assert.StartsWith("https://maps.example.gov/ogc/collections/sites/items?", ForwardedProxy.Next(page));
        var tileJson = await ForwardedProxy.GetAsync(server.Client(), "/tiles/napgeo.json");
        Assert.StartsWith("https://maps.example.gov/tiles/napgeo/{z}/{x}/{y}.mvt", tileJson["tiles"]![0]!.GetValue<string>());
    }
}
