using Microsoft.Playwright;

namespace NapGeo.BrowserTests.Viewer;

/// <summary>A field team's upload through the viewer: dry run with a bad row, then commit, then the point on the map.</summary>
public sealed class UploadPanelTests(ViewerServer server) : IClassFixture<ViewerServer>
{
    // Northern Ghana, far from the demo samples, so the new point is alone on the map.
    private const double Lon = 0.512, Lat = 9.431;

    private static string WriteCsv()
    {
        var path = Path.Combine(Path.GetTempPath(), $"napgeo-web-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, string.Join('\n',
            "sample_id,latitude,longitude,sample type,Mercury concentration (ppm),date",
            $"WEB-1,{Lat},{Lon},soil,2.5,2024-06-01",
            $"WEB-2,{Lat + 0.001},{Lon + 0.001},lava,1.0,2024-06-01",
            $"WEB-3,{Lat + 0.002},{Lon + 0.002},sediment,0.4,2024-06-01") + "\n");
        return path;
    }

    /// <summary>The viewer with the upload panel open, the editor key typed in and the test file chosen.</summary>
    private async Task<IPage> OpenUploadWithFileAsync()
    {
        var page = await server.OpenViewerAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload samples" }).ClickAsync();
        await page.GetByLabel("Editor API key").FillAsync(server.EditorKey);
        await page.SetInputFilesAsync("#upload-file", WriteCsv());
        return page;
    }

    [Fact]
    public async Task A_dry_run_shows_the_bad_row_and_a_commit_puts_the_new_point_on_the_map_without_a_reload()
    {
        var page = await server.OpenViewerAsync();
        await page.EvaluateAsync("() => { window.__sameDocument = true; }"); // gone if the page reloads
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload samples" }).ClickAsync();
        await page.GetByLabel("Editor API key").FillAsync(server.EditorKey);
        await page.GetByLabel("Editor API key").DispatchEventAsync("change");
        await page.SetInputFilesAsync("#upload-file", WriteCsv());
        await page.GetByLabel("Campaign").FillAsync("WEB-TEST");

        await page.GetByRole(AriaRole.Button, new() { Name = "Check (dry run)" }).ClickAsync();
        // The row's error, after the file's: a commit (reject-all) would store nothing.
        var badRow = page.Locator("#upload-report tr.error:not([data-row=''])");
        await badRow.First.WaitForAsync();
        Assert.Equal(1, await badRow.CountAsync());
        await Assertions.Expect(page.Locator("#upload-report tr.error[data-row='']")).ToContainTextAsync("A commit would reject this file");
        Assert.Equal("3", await badRow.First.GetAttributeAsync("data-row")); // header is row 1
        Assert.Contains("lava", await badRow.First.TextContentAsync());
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Commit" }).IsDisabledAsync()); // reject-all and a bad row
        await Assertions.Expect(page.Locator("#upload-result .summary")).ToContainTextAsync("Rows 3: 2 valid, 1 invalid");
        await page.ScreenshotAsync(new() { Path = Browser.ArtifactPath("upload-dry-run.png") });

        await page.GetByLabel("When rows are invalid").SelectOptionAsync("skip-invalid");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check (dry run)" }).ClickAsync();
        var commit = page.GetByRole(AriaRole.Button, new() { Name = "Commit" });
        await Assertions.Expect(commit).ToBeEnabledAsync();
        await commit.ClickAsync();
        await Assertions.Expect(page.Locator("#upload-result .summary")).ToContainTextAsync("committed");
        Assert.Equal(100, await page.EvaluateAsync<int>("() => document.getElementById('upload-progress').value"));

        // The map, not reloaded, now draws WEB-1 where it was uploaded.
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        await page.EvaluateAsync($"() => {{ window.napgeo.map.jumpTo({{ center: [{Lon}, {Lat}], zoom: 14 }}); }}");
        await ViewerServer.IdleAsync(page);
        var ids = await page.EvaluateAsync<string[]>(
            "() => window.napgeo.map.queryRenderedFeatures({ layers: ['samples-points'] }).map(f => f.properties.external_id)");
        Assert.Contains("WEB-1", ids);
        Assert.Contains("WEB-3", ids);
        Assert.DoesNotContain("WEB-2", ids);
        await page.ScreenshotAsync(new() { Path = Browser.ArtifactPath("upload-committed.png") });
    }

    [Fact]
    public async Task Every_free_choice_offered_in_the_column_mapping_is_one_the_next_check_accepts()
    {
        var page = await OpenUploadWithFileAsync();
        await page.GetByLabel("Campaign").FillAsync("WEB-MAP");
        var check = page.GetByRole(AriaRole.Button, new() { Name = "Check (dry run)" });
        await check.ClickAsync();
        var answer = page.Locator("#upload-result > .summary, #upload-result > p.bad");
        await answer.First.WaitForAsync();

        // A column another field already has is refused for good reasons (the latitude is not a date); any other choice is
        // a plain "use this one", which the check has to take.
        var taken = await page.Locator("select[data-field]:not([data-field='sampled_at'])").EvaluateAllAsync<string[]>("selects => selects.map(s => s.value)");
        var choices = (await page.Locator("select[data-field='sampled_at'] option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)"))
            .Except(taken).ToList();
        Assert.NotEmpty(choices);
        foreach (var choice in choices)
        {
            await page.Locator("select[data-field='sampled_at']").SelectOptionAsync(choice);
            await page.EvaluateAsync("() => document.getElementById('upload-result').replaceChildren()");
            await check.ClickAsync();
            await answer.First.WaitForAsync();
            Assert.True(await page.Locator("#upload-result > p.bad").CountAsync() == 0,
                $"choosing '{choice}': {await page.Locator("#upload-result").TextContentAsync()}");
        }
    }

    /// <summary>A detected field can be left unread; coordinates can only be given another column.</summary>
    [Fact]
    public async Task A_detected_field_can_be_left_unread()
    {
        var page = await OpenUploadWithFileAsync();
        var check = page.GetByRole(AriaRole.Button, new() { Name = "Check (dry run)" });
        await check.ClickAsync();
        var answer = page.Locator("#upload-result > .summary, #upload-result > p.bad");
        await answer.First.WaitForAsync();
        Assert.Equal("date", await page.Locator("select[data-field='sampled_at']").InputValueAsync());
        Assert.Equal(0, await page.Locator("select[data-field='latitude'] option[value='']").CountAsync());

        await page.Locator("select[data-field='sampled_at']").SelectOptionAsync(new SelectOptionValue { Label = "(not read)" });
        await page.EvaluateAsync("() => document.getElementById('upload-result').replaceChildren()");
        await check.ClickAsync();
        await answer.First.WaitForAsync();
        Assert.True(await page.Locator("#upload-result > p.bad").CountAsync() == 0, await page.Locator("#upload-result").TextContentAsync());
        Assert.Equal("", await page.Locator("select[data-field='sampled_at']").InputValueAsync());
        var ignored = page.Locator("#upload-report tr.warning").Filter(new() { HasText = "were not read" });
        await Assertions.Expect(ignored.Locator("td").Nth(1)).ToHaveTextAsync("date");
    }

    [Fact]
    public async Task Changing_the_target_after_adjusting_the_mapping_checks_the_file_as_the_new_target()
    {
        var page = await OpenUploadWithFileAsync();
        var check = page.GetByRole(AriaRole.Button, new() { Name = "Check (dry run)" });
        await check.ClickAsync();
        var answer = page.Locator("#upload-result > .summary, #upload-result > p.bad");
        await answer.First.WaitForAsync();
        await page.Locator("select[data-field='sampled_at']").SelectOptionAsync("date"); // confirmed by hand: now part of the mapping

        // The points were gold shops after all: hotspots have no sampled_at.
        await page.GetByLabel("Load as").SelectOptionAsync("hotspots");
        await page.EvaluateAsync("() => document.getElementById('upload-result').replaceChildren()");
        await check.ClickAsync();
        await answer.First.WaitForAsync();
        Assert.True(await page.Locator("#upload-result > p.bad").CountAsync() == 0, await page.Locator("#upload-result").TextContentAsync());
        await Assertions.Expect(page.Locator("#upload-result .summary")).ToContainTextAsync("Rows 3");
    }

    [Fact]
    public async Task Choosing_another_file_takes_the_previous_files_preview_off_the_map()
    {
        var page = await OpenUploadWithFileAsync();
        await page.GetByLabel("Campaign").FillAsync("WEB-PREVIEW");
        await page.GetByLabel("When rows are invalid").SelectOptionAsync("skip-invalid");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check (dry run)" }).ClickAsync();
        await page.Locator("#upload-result > .summary").WaitForAsync();
        const string previewed = "async () => (await window.napgeo.map.getSource('upload-preview')?.getData())?.features?.length ?? 0";
        Assert.True(await page.EvaluateAsync<int>(previewed) > 0);

        await page.SetInputFilesAsync("#upload-file", WriteCsv());
        Assert.Equal(0, await page.EvaluateAsync<int>(previewed));
    }

    /// <summary>Holds POST /api/uploads back before it reaches the server, so a test sees the bar mid-way.</summary>
    private static Task HoldUploadsAsync(IPage page, int milliseconds) =>
        page.RouteAsync("**/api/uploads", async route =>
        {
            await Task.Delay(milliseconds);
            await route.ContinueAsync();
        });

    /// <summary>
    /// The server mid-way through a large file: POST /api/uploads held back, and the polls of GET /api/uploads/{id}
    /// answered with <paramref name="answer"/> at that moment. A held request's body counts as sent only once it goes on:
    /// the browser is made to say so, as it does once a large file has reached the server.
    /// </summary>
    private static async Task PlayServerMidwayAsync(IPage page, int holdMilliseconds, Func<string> answer)
    {
        await page.RouteAsync("**/api/uploads/*", route => route.FulfillAsync(new() { ContentType = "application/json", Body = answer() }));
        await HoldUploadsAsync(page, holdMilliseconds);
        await page.EvaluateAsync("""
            () => {
              const send = XMLHttpRequest.prototype.send;
              XMLHttpRequest.prototype.send = function (body) { send.call(this, body); setTimeout(() => this.upload.dispatchEvent(new ProgressEvent('load')), 200); };
            }
            """);
    }

    [Fact]
    public async Task A_dry_run_shows_the_rows_the_server_has_read_then_that_it_is_checking()
    {
        // Dry runs were not recorded: polling GET /api/uploads/{id} met 404s, and the bar stood at 50 % with no words. The
        // server now holds a running dry run's progress; played here by answering the polls as it does mid-way.
        var page = await OpenUploadWithFileAsync();
        var answer = """{"status":"running","mode":"dry-run","progress":{"processed":1,"total":3}}""";
        await PlayServerMidwayAsync(page, 4000, () => answer);

        await page.GetByRole(AriaRole.Button, new() { Name = "Check (dry run)" }).ClickAsync();
        await Assertions.Expect(page.Locator("#upload-progress-text")).ToHaveTextAsync("Reading rows: 1 of 3");
        answer = """{"status":"running","mode":"dry-run","progress":{"processed":3,"total":3}}""";
        await Assertions.Expect(page.Locator("#upload-progress-text")).ToHaveTextAsync("Checking 3 rows against the database…");
        Assert.Null(await page.Locator("#upload-progress").GetAttributeAsync("value")); // indeterminate, not a finished 100 %

        await page.Locator("#upload-result > .summary").WaitForAsync();
        await Assertions.Expect(page.Locator("#upload-progress-text")).ToHaveTextAsync("Checked");
    }

    [Fact]
    public async Task Once_every_row_is_read_a_commit_still_running_says_saving_not_100_percent()
    {
        var page = await OpenUploadWithFileAsync();
        await page.GetByLabel("Campaign").FillAsync("WEB-SAVING");
        await page.GetByLabel("When rows are invalid").SelectOptionAsync("skip-invalid");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check (dry run)" }).ClickAsync();
        var commit = page.GetByRole(AriaRole.Button, new() { Name = "Commit" });
        await Assertions.Expect(commit).ToBeEnabledAsync();

        // The server has read every row (GET /api/uploads/{id} says so) but its answer is not in yet: the writes and the
        // hotspots' re-derivation of a large file take seconds there, which the bar showed as a finished 100 %. Played
        // here by holding the request back and answering the polls as the server does at that point.
        await PlayServerMidwayAsync(page, 3000, () => """{"status":"running","progress":{"processed":3,"total":3}}""");
        await commit.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Progressbar, new() { Name = "Saving" })).ToBeVisibleAsync();
        Assert.Null(await page.Locator("#upload-progress").GetAttributeAsync("value"));

        await Assertions.Expect(page.Locator("#upload-result .summary")).ToContainTextAsync("committed");
        Assert.Equal(100, await page.EvaluateAsync<int>("() => document.getElementById('upload-progress').value"));
        await Assertions.Expect(page.Locator("#upload-progress-text")).ToHaveTextAsync("Done");
    }

    [Fact]
    public async Task A_commit_whose_answer_is_lost_shows_its_outcome_from_the_server()
    {
        var page = await OpenUploadWithFileAsync();
        await page.GetByLabel("Campaign").FillAsync("WEB-LOST");
        await page.GetByLabel("When rows are invalid").SelectOptionAsync("skip-invalid");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check (dry run)" }).ClickAsync();
        var commit = page.GetByRole(AriaRole.Button, new() { Name = "Commit" });
        await Assertions.Expect(commit).ToBeEnabledAsync();

        // The commit reaches the server and is done there, but its answer never reaches the browser: a field link that
        // dropped, or a proxy that stopped waiting. The viewer said "network error" of rows that were stored.
        // Played in the page: the request goes to the server, and its answer is turned into the error event a lost one gives.
        await page.EvaluateAsync("""
            () => {
              const send = XMLHttpRequest.prototype.send;
              XMLHttpRequest.prototype.send = function (body) {
                const lost = this.onerror;
                this.onload = () => lost.call(this, new ProgressEvent('error'));
                send.call(this, body);
              };
            }
            """);
        await commit.ClickAsync();
        await Assertions.Expect(page.Locator("#upload-result .summary")).ToContainTextAsync("committed", new() { Timeout = 20_000 });
        Assert.Equal(0, await page.Locator("#upload-result p.bad").CountAsync());
    }
}
