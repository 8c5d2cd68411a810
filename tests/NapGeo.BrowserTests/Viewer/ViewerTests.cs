using Microsoft.Playwright;

namespace NapGeo.BrowserTests.Viewer;

/// <summary>The planner's viewer at / in headless Chromium, against the real app with the demo data.</summary>
public sealed class ViewerTests(ViewerServer server) : IClassFixture<ViewerServer>
{
    [Fact]
    public async Task Map_loads_with_the_offline_basemap_and_renders_sites_hotspots_and_samples()
    {
        var page = await server.OpenViewerAsync();
        await page.ScreenshotAsync(new() { Path = Browser.ArtifactPath("viewer-start.png") });
        Assert.True(await ViewerServer.RenderedAsync(page, "sites") > 100);
        Assert.True(await ViewerServer.RenderedAsync(page, "samples") > 0);
        Assert.True(await page.EvaluateAsync<int>("() => window.napgeo.map.queryRenderedFeatures({ layers: ['basemap-land'] }).length") > 0);
        // The legend is read from the style: every site status it lists is a colour class of the sites layer.
        var legend = await page.Locator(".layer-list .layer").First.Locator(".legend li").AllTextContentsAsync();
        Assert.Equal(["active", "inactive", "abandoned", "unknown"], legend);
    }

    [Fact]
    public async Task Opened_without_a_view_the_map_fits_the_data_and_a_shared_view_is_kept()
    {
        // The demo data spans -3.10…-0.42° E, 4.91…7.00° N: fitted, all of it is in view and little else. MapLibre's own
        // hash, written before the map loaded, once made every page look "shared", and it stayed at the initial zoom 6
        // view, some 14° wide.
        var page = await server.OpenViewerAsync();
        var view = await page.EvaluateAsync<double[]>(
            "() => { const b = window.napgeo.map.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }");
        Assert.True(view[0] <= -3.09 && view[1] <= 4.92 && view[2] >= -0.43 && view[3] >= 6.99 && view[2] - view[0] < 8, string.Join(", ", view));

        var shared = await server.OpenViewerAsync("#9/6.2/-1.9");
        var zoom = await shared.EvaluateAsync<double>("() => window.napgeo.map.getZoom()");
        Assert.Equal(9, zoom, 1);
    }

    [Fact]
    public async Task On_a_narrow_screen_the_layers_panel_leaves_the_map_free_until_its_button_opens_it()
    {
        // A field tablet: the panel lies over the map below 900 px, and it once covered 15rem of it with no way to close it.
        var page = await server.OpenViewerAsync();
        await page.SetViewportSizeAsync(600, 800);
        var panel = page.Locator("aside.panel.left");
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Layers and filters" });
        await Assertions.Expect(panel).ToBeHiddenAsync();
        await toggle.ClickAsync();
        await Assertions.Expect(panel).ToBeVisibleAsync();
        Assert.Equal("true", await toggle.GetAttributeAsync("aria-expanded"));
        await toggle.ClickAsync();
        await Assertions.Expect(panel).ToBeHiddenAsync();
        Assert.Equal("false", await toggle.GetAttributeAsync("aria-expanded"));
        // Wide again: the panel is back beside the map and the button is gone.
        await page.SetViewportSizeAsync(1280, 800);
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await Assertions.Expect(toggle).ToBeHiddenAsync();
    }

    [Fact]
    public async Task On_a_phone_the_search_takes_a_full_row_and_the_top_bar_fits_the_screen()
    {
        // At 390 px the search box was squeezed to ~20 px between the title and the buttons, and the bar ran off the screen.
        var page = await server.OpenViewerAsync();
        await page.SetViewportSizeAsync(390, 844);
        var search = await page.GetByRole(AriaRole.Combobox, new() { Name = "Find a site by name or code" }).BoundingBoxAsync();
        Assert.True(search!.Width >= 300, $"search is {search.Width} px wide");
        Assert.True(await page.EvaluateAsync<bool>("() => { const bar = document.querySelector('.topbar'); return bar.scrollWidth <= bar.clientWidth; }"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 390"));
        foreach (var name in new[] { "Layers and filters", "Upload samples" })
        {
            var button = await page.GetByRole(AriaRole.Button, new() { Name = name }).BoundingBoxAsync();
            Assert.True(button!.X >= 0 && button.X + button.Width <= 390, $"{name} at {button.X}..{button.X + button.Width}");
        }
        await page.ScreenshotAsync(new() { Path = Browser.ArtifactPath("viewer-phone.png") });
    }

    [Fact]
    public async Task The_country_filter_says_that_samples_and_hotspots_are_filtered_through_their_site()
    {
        // Tiles filter samples and hotspots by their site's country: those linked to no site vanish under a country filter.
        var page = await server.OpenViewerAsync();
        var country = page.GetByRole(AriaRole.Textbox, new() { Name = "Country (ISO3)" });
        await Assertions.Expect(country).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("filtered through their site"));
        await Assertions.Expect(page.Locator("#country-hint")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#country-hint")).ToContainTextAsync("not linked to a site are hidden");
    }

    [Fact]
    public async Task Sites_and_the_hotspots_drawn_over_them_have_clearly_different_colours()
    {
        // "high" hotspots (#e31a1c) lay on "active" sites (#d7301f) of nearly the same red: CIE76 ΔE 8.7; "medium" ones
        // (#fd8d3c) on "inactive" sites (#fc8d59) of nearly the same orange: ΔE 13.7.
        var page = await server.OpenViewerAsync();
        var distances = await page.EvaluateAsync<double[]>("""
            () => {
              const style = window.napgeo.map.getStyle();
              const colour = (layer, value) => { const m = style.layers.find(l => l.id === layer).paint['fill-color']; return m[m.indexOf(value) + 1]; };
              const lab = hex => {
                const [r, g, b] = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16) / 255).map(c => (c > 0.04045 ? ((c + 0.055) / 1.055) ** 2.4 : c / 12.92));
                const f = v => (v > 0.008856 ? Math.cbrt(v) : 7.787 * v + 16 / 116);
                const [x, y, z] = [(r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047, r * 0.2126 + g * 0.7152 + b * 0.0722, (r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883].map(f);
                return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
              };
              return ['active', 'inactive', 'abandoned', 'unknown'].flatMap(status => {
                const site = lab(colour('sites-fill', status));
                return ['low', 'medium', 'high', 'critical'].map(s => Math.hypot(...lab(colour('hotspots-fill', s)).map((v, i) => v - site[i])));
              });
            }
            """);
        Assert.All(distances, d => Assert.True(d > 25, $"ΔE {d:0.0}"));
    }

    [Fact]
    public async Task Unticking_a_layer_hides_it_and_ticking_shows_it_again()
    {
        var page = await server.OpenViewerAsync();
        Assert.True(await ViewerServer.RenderedAsync(page, "sites") > 0);
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "ASGM sites" }).UncheckAsync();
        await ViewerServer.IdleAsync(page);
        Assert.Equal(0, await ViewerServer.RenderedAsync(page, "sites"));
        Assert.True(await ViewerServer.RenderedAsync(page, "samples") > 0);
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "ASGM sites" }).CheckAsync();
        await ViewerServer.IdleAsync(page);
        Assert.True(await ViewerServer.RenderedAsync(page, "sites") > 0);
    }

    [Fact]
    public async Task Matrix_and_status_filters_reach_the_tiles_and_only_those_features_are_drawn()
    {
        var page = await server.OpenViewerAsync();
        var tileRequests = new List<string>();
        page.Request += (_, request) => { if (request.Url.Contains("/tiles/")) tileRequests.Add(request.Url); };
        await page.GetByLabel("Sample matrix").SelectOptionAsync("water");
        await page.GetByLabel("Site status").SelectOptionAsync("abandoned");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.WaitForTimeoutAsync(300);
        await ViewerServer.IdleAsync(page);
        Assert.Contains(tileRequests, url => url.Contains("matrix=water") && url.Contains("status=abandoned"));
        var statuses = await page.EvaluateAsync<string[]>(
            "() => window.napgeo.map.queryRenderedFeatures({ layers: ['sites-fill'] }).map(f => f.properties.status)");
        Assert.NotEmpty(statuses);
        Assert.All(statuses, s => Assert.Equal("abandoned", s));
        var matrices = await page.EvaluateAsync<string[]>(
            "() => window.napgeo.map.queryRenderedFeatures({ layers: ['samples-points', 'samples-clusters'] }).map(f => f.properties.matrix)");
        Assert.NotEmpty(matrices);
        Assert.All(matrices, m => Assert.Equal("water", m));
    }

    [Fact]
    public async Task Applied_filters_are_in_the_link_and_a_reload_keeps_them()
    {
        var page = await server.OpenViewerAsync();
        await page.GetByLabel("Sample matrix").SelectOptionAsync("water");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        Assert.Contains("matrix=water", page.Url);

        // The link as shared: the filter is back in the form, and only water samples are drawn.
        var again = await server.NewPageAsync();
        await again.GotoAsync(page.Url);
        await again.WaitForFunctionAsync("() => window.napgeo?.ready === true", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await ViewerServer.IdleAsync(again);
        Assert.Equal("water", await again.GetByLabel("Sample matrix").InputValueAsync());
        var matrices = await again.EvaluateAsync<string[]>(
            "() => window.napgeo.map.queryRenderedFeatures({ layers: ['samples-points', 'samples-clusters'] }).map(f => f.properties.matrix)");
        Assert.NotEmpty(matrices);
        Assert.All(matrices, m => Assert.Equal("water", m));
    }

    [Fact]
    public async Task Clicking_a_sample_shows_its_value()
    {
        // Demo sample GH24-SOIL-0001, zoomed in so it is drawn on its own.
        var sample = await server.Client().GetStringAsync("/api/samples?external_id=GH24-SOIL-0001");
        var feature = System.Text.Json.Nodes.JsonNode.Parse(sample)!["features"]![0]!;
        var lon = feature["geometry"]!["coordinates"]![0]!.GetValue<double>();
        var lat = feature["geometry"]!["coordinates"]![1]!.GetValue<double>();
        var value = feature["properties"]!["value"]!.GetValue<double>();
        var unit = feature["properties"]!["unit"]!.GetValue<string>();

        var page = await OpenAndClickAsync(lon, lat, 15);
        var popup = page.Locator(".maplibregl-popup-content");
        await popup.WaitForAsync();
        var text = await popup.TextContentAsync();
        Assert.Contains($"{value.ToString(System.Globalization.CultureInfo.InvariantCulture)} {unit}", text);
        Assert.Contains("GH24-SOIL-0001", text);
        await page.ScreenshotAsync(new() { Path = Browser.ArtifactPath("viewer-sample-popup.png") });
    }

    /// <summary>The viewer at a zoom, centred on a place, clicked where the place is drawn.</summary>
    private async Task<IPage> OpenAndClickAsync(double lon, double lat, int zoom)
    {
        var page = await server.OpenViewerAsync($"#{zoom}/{lat}/{lon}");
        await page.EvaluateAsync($"() => {{ window.napgeo.map.jumpTo({{ center: [{lon}, {lat}], zoom: {zoom} }}); }}");
        await ViewerServer.IdleAsync(page);
        var point = await page.EvaluateAsync<double[]>($"() => {{ const p = window.napgeo.map.project([{lon}, {lat}]); return [p.x, p.y]; }}");
        var box = await page.Locator("#map").BoundingBoxAsync();
        await page.Mouse.ClickAsync((float)(box!.X + point[0]), (float)(box.Y + point[1]));
        return page;
    }

    [Fact]
    public async Task A_sample_below_detection_shows_its_detection_limit()
    {
        // Demo sample GH24-SOIL-0005: below detection, limit 0.01 mg/kg, no value.
        var sample = await server.Client().GetStringAsync("/api/samples?external_id=GH24-SOIL-0005");
        var properties = System.Text.Json.Nodes.JsonNode.Parse(sample)!["features"]![0]!["properties"]!;
        Assert.True(properties["below_detection"]!.GetValue<bool>());
        var coordinates = System.Text.Json.Nodes.JsonNode.Parse(sample)!["features"]![0]!["geometry"]!["coordinates"]!;
        var (lon, lat) = (coordinates[0]!.GetValue<double>(), coordinates[1]!.GetValue<double>());

        var page = await OpenAndClickAsync(lon, lat, 15);
        var popup = page.Locator(".maplibregl-popup-content");
        await popup.WaitForAsync();
        Assert.Contains("below detection (limit 0.01 mg/kg)", await popup.TextContentAsync());
    }

    [Fact]
    public async Task A_lone_sample_at_a_clustered_zoom_is_one_sample_in_its_popup()
    {
        // Inside the demo data's extent (other tests fit the map to it) but a degree from any demo sample, so its cluster
        // at zoom 7 holds it alone.
        var (lon, lat) = (-0.6, 5.0);
        await NapGeo.Tests.Infrastructure.Features.CreateAsync(server.Editor(), "samples", NapGeo.Tests.Infrastructure.Features.Sample(lon, lat));
        var page = await OpenAndClickAsync(lon, lat, 7);
        var title = page.Locator(".maplibregl-popup-content .popup-title");
        await title.WaitForAsync();
        Assert.Equal("1 sample (soil)", await title.TextContentAsync());
    }

    [Fact]
    public async Task From_the_keyboard_Enter_shows_the_sample_under_the_centre_cross_and_Escape_returns_to_the_map()
    {
        var sample = await server.Client().GetStringAsync("/api/samples?external_id=GH24-SOIL-0001");
        var coordinates = System.Text.Json.Nodes.JsonNode.Parse(sample)!["features"]![0]!["geometry"]!["coordinates"]!;
        var (lon, lat) = (coordinates[0]!.GetValue<double>(), coordinates[1]!.GetValue<double>());
        var page = await server.OpenViewerAsync($"#15/{lat}/{lon}");
        await page.EvaluateAsync($"() => {{ window.napgeo.map.jumpTo({{ center: [{lon}, {lat}], zoom: 15 }}); }}");
        await ViewerServer.IdleAsync(page);

        // Tab through the page to the map, as a keyboard user does; the cross then shows where Enter will look.
        for (var i = 0; i < 60 && !await page.EvaluateAsync<bool>("() => document.activeElement?.classList.contains('maplibregl-canvas')"); i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.True(await page.Locator("#map .crosshair").IsVisibleAsync());
        await page.Keyboard.PressAsync("Enter");
        var popup = page.Locator(".maplibregl-popup-content");
        await popup.WaitForAsync();
        Assert.Contains("GH24-SOIL-0001", await popup.TextContentAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('.maplibregl-popup').contains(document.activeElement)"));

        await page.Keyboard.PressAsync("Escape");
        Assert.Equal(0, await page.Locator(".maplibregl-popup").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement.classList.contains('maplibregl-canvas')"));
    }

    [Fact]
    public async Task A_site_named_with_a_script_is_shown_as_text_in_search_popup_and_panel()
    {
        var page = await server.OpenViewerAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Find a site by name or code" }).FillAsync("img src");
        var result = page.Locator("#search-results li").First;
        await result.WaitForAsync();
        Assert.StartsWith(ViewerServer.ScriptName, await result.TextContentAsync());
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Enter");
        var heading = page.Locator("#details h2").First;
        await heading.WaitForAsync();
        Assert.Equal(ViewerServer.ScriptName, await heading.TextContentAsync());
        Assert.Equal(0, await page.Locator("#details img, #search-results img").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task The_site_panel_shows_the_site_opened_last_when_an_earlier_answer_is_slower()
    {
        var page = await server.OpenViewerAsync();
        var slow = await server.Database.ScalarAsync<Guid>("SELECT id FROM sites WHERE id <> $1 ORDER BY site_code LIMIT 1", server.ScriptSite);
        await page.RouteAsync($"**/api/sites/{slow}", async route => { await Task.Delay(1500); await route.ContinueAsync(); });
        await page.EvaluateAsync("async ([a, b]) => { const d = await import('/viewer/details.js'); d.showSite(a); await d.showSite(b); }",
            new[] { slow.ToString(), server.ScriptSite.ToString() });
        await page.WaitForTimeoutAsync(2500); // the slow answer has come back by now
        Assert.Equal(ViewerServer.ScriptName, await page.Locator("#details h2").First.TextContentAsync());
    }

    [Fact]
    public async Task Searching_a_site_by_code_zooms_to_it_and_opens_its_profile()
    {
        var page = await server.OpenViewerAsync();
        var search = page.GetByRole(AriaRole.Combobox, new() { Name = "Find a site by name or code" });
        await search.FillAsync("GHA-WN-0001");
        await page.Locator("#search-results li").First.WaitForAsync();
        await search.PressAsync("Enter");
        await page.Locator("#details h2").First.WaitForAsync();
        await ViewerServer.IdleAsync(page);
        Assert.True(await page.EvaluateAsync<double>("() => window.napgeo.map.getZoom()") > 11);
        Assert.Contains("GHA-WN-0001", await page.Locator("#details").TextContentAsync());
        await page.ScreenshotAsync(new() { Path = Browser.ArtifactPath("viewer-site-panel.png") });
    }

    [Fact]
    public async Task Enter_pressed_before_the_results_of_a_new_term_arrive_opens_that_term_not_the_previous_one()
    {
        var page = await server.OpenViewerAsync();
        var search = page.GetByRole(AriaRole.Combobox, new() { Name = "Find a site by name or code" });
        await search.FillAsync("GHA-WN-0001");
        await page.Locator("#search-results li").First.WaitForAsync();
        // A second code pasted and entered at once, before its own search has run.
        await search.FillAsync("GHA-WN-0002");
        await search.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => document.querySelector('#details h2') !== null");
        Assert.Contains("GHA-WN-0002", await page.Locator("#details").TextContentAsync());
        Assert.Equal(await page.Locator("#details h2").TextContentAsync(), await search.InputValueAsync());
    }

    [Fact]
    public async Task The_page_has_no_serious_accessibility_violations_and_works_from_the_keyboard()
    {
        var page = await server.OpenViewerAsync();
        var results = await Deque.AxeCore.Playwright.PageExtensions.RunAxe(page);
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.Empty(serious);
        // Tab from the search box reaches the upload button, and Enter opens the upload panel.
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Find a site by name or code" }).FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("toggle-upload", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Keyboard.PressAsync("Enter");
        Assert.True(await page.Locator("#upload-panel").IsVisibleAsync());
    }
}
