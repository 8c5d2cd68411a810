using Microsoft.Playwright;

namespace NapGeo.BrowserTests.Viewer;

/// <summary>A slow or failing server, as planners on field links meet it: the viewer says what is going on and stays usable.</summary>
public sealed class MapLoadTests(ViewerServer server) : IClassFixture<ViewerServer>
{
    private const string Style = "**/styles/napgeo.json";

    [Fact]
    public async Task When_the_style_fails_a_lasting_alert_offers_a_retry_and_search_and_upload_still_work()
    {
        // The only word was a toast ("Map error: AJAXError…") gone after 3.5 s, over an empty map and a page whose
        // search, upload and keyboard controls were never wired.
        var page = await server.NewPageAsync();
        await page.RouteAsync(Style, route => route.FulfillAsync(new() { Status = 500, Body = "boom" }));
        await page.GotoAsync(server.BaseAddress.ToString());
        var alert = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "could not be loaded" });
        await Assertions.Expect(alert).ToContainTextAsync("HTTP 500");
        await page.WaitForTimeoutAsync(4000);
        await Assertions.Expect(alert).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Loading the map…")).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Combobox, new() { Name = "Find a site by name or code" }).FillAsync("XSS");
        await Assertions.Expect(page.Locator("#search-results li").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload samples" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Editor API key")).ToBeVisibleAsync();
        // Applying filters without a map is said, and does not reload the page (the submit did, filters in the URL).
        await page.EvaluateAsync("() => { window.__samePage = true; }");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(page.GetByText("The map has not loaded, so there is nothing to filter yet.")).ToBeAttachedAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__samePage === true"));
        await page.ScreenshotAsync(new() { Path = Browser.ArtifactPath("viewer-style-failed.png") });

        // The server is back: Retry loads the map.
        await page.UnrouteAsync(Style);
        await alert.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await page.WaitForFunctionAsync("() => window.napgeo?.ready === true", null, new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task When_the_server_cannot_be_reached_the_alert_says_so()
    {
        var page = await server.NewPageAsync();
        await page.RouteAsync(Style, route => route.AbortAsync());
        await page.GotoAsync(server.BaseAddress.ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("could not be reached");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert).GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Failing_tiles_leave_a_lasting_notice()
    {
        var page = await server.NewPageAsync();
        await page.RouteAsync("**/*.mvt*", route => route.FulfillAsync(new() { Status = 500, Body = "boom" }));
        await page.GotoAsync(server.BaseAddress.ToString());
        await page.WaitForFunctionAsync("() => window.napgeo?.ready === true", null, new() { Timeout = 30_000 });
        var notice = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "tiles could not be loaded" });
        await Assertions.Expect(notice).ToContainTextAsync("HTTP 500");
        await page.WaitForTimeoutAsync(4000);
        await Assertions.Expect(notice).ToHaveCountAsync(1); // one notice, not one per tile
        await Assertions.Expect(notice).ToBeVisibleAsync();

        // Tiles are served again: Retry asks for them anew and the notice goes.
        await page.UnrouteAsync("**/*.mvt*");
        await notice.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await page.WaitForFunctionAsync("() => window.napgeo?.ready === true", null, new() { Timeout = 30_000 });
        await ViewerServer.IdleAsync(page);
        Assert.True(await ViewerServer.RenderedAsync(page, "sites") > 0);
        await Assertions.Expect(notice).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task While_the_style_and_first_tiles_load_the_map_says_it_is_loading()
    {
        var page = await server.NewPageAsync();
        await page.RouteAsync(Style, async route => { await Task.Delay(2000); await route.ContinueAsync(); });
        await page.GotoAsync(server.BaseAddress.ToString(), new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Loading the map…" })).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => window.napgeo?.ready === true", null, new() { Timeout = 30_000 });
        await ViewerServer.IdleAsync(page);
        await Assertions.Expect(page.GetByText("Loading the map…")).ToHaveCountAsync(0);
    }
}
