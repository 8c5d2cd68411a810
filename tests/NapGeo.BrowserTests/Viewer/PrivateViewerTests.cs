using Microsoft.Playwright;

namespace NapGeo.BrowserTests.Viewer;

/// <summary>The viewer on a server whose reads need a key (NapGeo:RequireKeyForReads).</summary>
public sealed class PrivateViewerServer : ViewerServer
{
    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("NapGeo:RequireKeyForReads", "true")];
}

public sealed class PrivateViewerTests(PrivateViewerServer server) : IClassFixture<PrivateViewerServer>
{
    [Fact]
    public async Task The_viewer_asks_for_a_key_and_then_every_map_request_carries_it()
    {
        var page = await server.NewPageAsync();
        var unauthorized = new List<string>();
        page.Response += (_, r) => { if (r.Status == 401) unauthorized.Add(r.Url); };
        await page.GotoAsync(server.BaseAddress.ToString());
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "API key needed" });
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "API key" }).FillAsync(server.ViewerKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the map" }).ClickAsync();
        await page.WaitForFunctionAsync("() => window.napgeo?.ready === true", null, new() { Timeout = 30_000 });
        await ViewerServer.IdleAsync(page);
        Assert.True(await ViewerServer.RenderedAsync(page, "sites") > 100);
        Assert.Empty(unauthorized);
    }
}
