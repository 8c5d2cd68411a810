using System.Net;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>One download at a time, none waiting: the gate's edges without timing.</summary>
public sealed class ExportGateServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("Database:ConcurrentExports", "1"), new("Database:QueuedExports", "0")];
}

/// <summary>Four database connections, one download running and three waiting.</summary>
public sealed class QueuedExportServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("Database:MaxConnections", "4"), new("Database:ConcurrentExports", "1"), new("Database:QueuedExports", "3")];
}

/// <summary>The same gate, and a client that takes no data for 2 s is given up.</summary>
public sealed class StalledDownloadServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("Database:ConcurrentExports", "1"), new("Database:QueuedExports", "0"), new("Http:StalledClientSeconds", "2")];
}

/// <summary>
/// Each download holds a database connection until its client has it all: 42 slow downloads held the whole pool, and
/// every other request, readiness included, failed after 15 s. Downloads have a gate of their own.
/// </summary>
public sealed class ExportGateTests(ExportGateServer server) : IClassFixture<ExportGateServer>
{
    /// <summary>~12 MB of outlines (300 sites of 1,000 vertices): more than the sockets hold for a client that does not read.</summary>
    internal static async Task<HttpResponseMessage> HoldADownloadAsync(NapGeoServer server)
    {
        await SeedOutlinesAsync(server);
        var held = await server.Client().GetAsync("/api/sites/export", HttpCompletionOption.ResponseHeadersRead); // never read
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        return held;
    }

    internal static async Task SeedOutlinesAsync(NapGeoServer server)
    {
        await server.Database.ScalarAsync<long>("""
            WITH written AS (
                INSERT INTO sites (site_code, name, country, geom)
                SELECT 'GATE-' || i, 'Gate ' || i, 'GHA', ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(-2 + i / 100.0, 6), 4326), 0.004, 250))
                FROM generate_series(1, 300) AS i
                WHERE NOT EXISTS (SELECT 1 FROM sites WHERE site_code LIKE 'GATE-%') RETURNING 1)
            SELECT count(*) FROM written
            """);
        Assert.Equal(300L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM sites WHERE site_code LIKE 'GATE-%'"));
    }

    [Fact]
    public async Task A_download_beyond_the_gate_is_a_503_to_retry_and_other_reads_go_on()
    {
        using var held = await HoldADownloadAsync(server);

        var client = server.Client();
        // From a dashboard on another origin, which must be able to read when to come back.
        var busy = new HttpRequestMessage(HttpMethod.Get, "/api/samples/export");
        busy.Headers.Add("Origin", "https://dashboard.example.org");
        var refused = await client.SendAsync(busy);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("30", refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("Retry-After", string.Join(",", refused.Headers.GetValues("Access-Control-Expose-Headers")).Split(',').Select(h => h.Trim()));
        Assert.Contains("downloads are running", (await refused.JsonAsync())["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/sites?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/ogc/collections/sites/items?limit=1")).StatusCode);

        held.Dispose(); // the client hangs up: its download ends and frees the gate
        HttpStatusCode status = 0;
        for (var i = 0; i < 50 && status != HttpStatusCode.OK; i++)
        {
            if (i > 0) await Task.Delay(200);
            status = (await client.GetAsync("/api/samples/export")).StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task HEAD_and_a_revalidation_of_a_download_do_not_wait_for_the_gate()
    {
        var client = server.Client();
        var first = await client.GetAsync("/api/samples/export?f=csv");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag!.ToString();
        using var held = await HoldADownloadAsync(server);

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/samples/export?f=csv"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.NotNull(head.Headers.ETag);
        var revalidate = new HttpRequestMessage(HttpMethod.Get, "/api/samples/export?f=csv");
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(revalidate)).StatusCode);
        // A download with rows to send still finds the gate full.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/api/hotspots/export")).StatusCode);
    }
}

/// <summary>A client that stops reading: its download is given up after Http:StalledClientSeconds.</summary>
public sealed class StalledDownloadTests(StalledDownloadServer server) : IClassFixture<StalledDownloadServer>
{
    [Fact]
    public async Task A_client_that_stops_reading_loses_its_download_and_frees_the_gate()
    {
        using var held = await ExportGateTests.HoldADownloadAsync(server);
        var client = server.Client();
        // Before: two such clients held every download for as long as their connections stayed open (minutes).
        var waited = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status = 0;
        while (status != HttpStatusCode.OK && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (status != 0) await Task.Delay(250);
            status = (await client.GetAsync("/api/samples/export")).StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, status);
        // The abandoned client finds its body cut, not a complete-looking one.
        Assert.IsAssignableFrom<IOException>((await Assert.ThrowsAsync<HttpRequestException>(() => held.Content.ReadAsStringAsync())).InnerException);
    }
}

/// <summary>Downloads waiting for the gate hold no database connection.</summary>
public sealed class QueuedExportTests(QueuedExportServer server) : IClassFixture<QueuedExportServer>
{
    /// <summary>
    /// Queued downloads each held a connection: with 3 waiting behind 1 running, a pool of 4 was gone and a page of
    /// one feature waited 15 s for a 503.
    /// </summary>
    [Fact]
    public async Task Queued_downloads_leave_the_connections_to_pages()
    {
        using var held = await ExportGateTests.HoldADownloadAsync(server);
        using var waiting = new CancellationTokenSource();
        var client = server.Client();
        var queued = Enumerable.Range(0, 3).Select(_ => client.GetAsync("/api/samples/export", waiting.Token)).ToList();
        await Task.Delay(1000); // they reach the gate's queue
        Assert.All(queued, q => Assert.False(q.IsCompleted));

        var timer = System.Diagnostics.Stopwatch.StartNew();
        var page = await client.GetAsync("/ogc/collections/sites/items?limit=1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(5), $"the page took {timer.Elapsed}");

        held.Dispose(); // the running download ends: the queued ones run in turn, each with a connection of its own
        foreach (var q in queued) Assert.Equal(HttpStatusCode.OK, (await q.WaitAsync(TimeSpan.FromSeconds(60))).StatusCode);
    }
}
