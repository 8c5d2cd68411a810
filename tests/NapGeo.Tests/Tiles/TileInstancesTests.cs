using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Tiles.TilesServer;

namespace NapGeo.Tests.Tiles;

/// <summary>Two API instances on one database: same ETags, and a write through one reaches the other's cache.</summary>
[Collection(TilesCollection.Name)]
public sealed class TileInstancesTests(TilesServer server) : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _second;
    private HttpClient _secondClient = null!;

    public Task InitializeAsync()
    {
        _second = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("NAPGEO_DB", server.Database.ConnectionString);
            builder.UseSetting("Tiles:ClusterBelowZoom", "10");
        });
        _second.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _second.StartServer();
        _secondClient = new HttpClient { BaseAddress = _second.ClientOptions.BaseAddress };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _secondClient.Dispose();
        if (_second is not null) await _second.DisposeAsync();
    }

    [Fact]
    public async Task Both_instances_give_the_same_ETag_and_an_edit_through_one_invalidates_the_other()
    {
        var (id, etag, _) = await server.Editor().CreateAsync("sites", Site(Unique("TWO"), lon: 35.5, lat: -16.5));
        var t = TileAt(35.505, -16.495, 13);
        var path = $"/tiles/sites/{t.Z}/{t.X}/{t.Y}.mvt";
        var first = await server.Client().GetAsync(path);
        var second = await _secondClient.GetAsync(path);
        Assert.Equal(first.Headers.ETag!.Tag, second.Headers.ETag!.Tag);
        Assert.Equal("HIT", (await _secondClient.GetAsync(path)).Headers.GetValues("X-Cache").Single());

        var patch = await server.Editor().SendAsync(HttpMethod.Patch, $"/api/sites/{id}",
            new JsonObject { ["type"] = "Feature", ["properties"] = new JsonObject { ["name"] = "Seen by both" } }, etag);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        // The other instance learns of the change through LISTEN/NOTIFY, within moments.
        string? name = null;
        for (var attempt = 0; attempt < 50 && name != "Seen by both"; attempt++)
        {
            if (attempt > 0) await Task.Delay(100);
            var response = await _secondClient.GetAsync(path);
            name = (string)Decode(await response.Content.ReadAsByteArrayAsync(), t).Layers.Single().Features
                .Single(f => (string)f.Attributes["id"] == id.ToString()).Attributes["name"];
        }
        Assert.Equal("Seen by both", name);
        Assert.Equal((await server.Client().GetAsync(path)).Headers.ETag!.Tag, (await _secondClient.GetAsync(path)).Headers.ETag!.Tag);
    }
}
