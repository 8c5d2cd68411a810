using System.Net;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>One download at a time, none waiting: the gate's edges without timing.</summary>
public sealed class ExportGateServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("Database:ConcurrentExports", "1"), new("Database:QueuedExports", "0")];
}

/// <summary>
/// Each download holds a database connection until its client has it all: 42 slow downloads held the whole pool, and
/// every other request, readiness included, failed after 15 s. Downloads have a gate of their own.
/// </summary>
public sealed class ExportGateTests(ExportGateServer server) : IClassFixture<ExportGateServer>
{
    [Fact]
    public async Task A_download_beyond_the_gate_is_a_503_to_retry_and_other_reads_go_on()
    {
        // ~12 MB of outlines (300 sites of 1,000 vertices): more than the sockets hold for a client that does not read.
        Assert.Equal(300L, await server.Database.ScalarAsync<long>("""
            WITH written AS (
                INSERT INTO sites (site_code, name, country, geom)
                SELECT 'GATE-' || i, 'Gate ' || i, 'GHA', ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(-2 + i / 100.0, 6), 4326), 0.004, 250))
                FROM generate_series(1, 300) AS i RETURNING 1)
            SELECT count(*) FROM written
            """));
        using var slow = server.Client();
        var held = await slow.GetAsync("/api/sites/export", HttpCompletionOption.ResponseHeadersRead); // never read
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);

        var client = server.Client();
        var refused = await client.GetAsync("/api/samples/export");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("30", refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
}
