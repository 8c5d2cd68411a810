using System.Net;
using NapGeo.Tests.Infrastructure;
using Npgsql;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

/// <summary>A server with a tile pool of two connections.</summary>
public sealed class TwoTileConnectionsServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Tiles:MaxConnections", "2")];
}

/// <summary>A server whose database commands time out after a second (NAPGEO_DB's Command Timeout).</summary>
public sealed class OneSecondCommandsServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("NAPGEO_DB", new NpgsqlConnectionStringBuilder(Database.ConnectionString) { CommandTimeout = 1 }.ConnectionString)];
}

/// <summary>How the service holds its database connections: bounded pools, dead clients noticed, timeouts named.</summary>
public sealed class ConnectionLimitTests(TwoTileConnectionsServer server) : IClassFixture<TwoTileConnectionsServer>
{
    private async Task<NpgsqlConnection> LockSamplesAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var lockCmd = new NpgsqlCommand("BEGIN; LOCK TABLE samples IN ACCESS EXCLUSIVE MODE", connection);
        await lockCmd.ExecuteNonQueryAsync();
        return connection;
    }

    [Fact]
    public async Task A_burst_of_cold_tiles_waits_for_the_pools_connections_instead_of_taking_one_each()
    {
        await using var locker = await LockSamplesAsync(); // every tile now waits in the database: the burst piles up
        var client = server.Client();
        var tiles = Enumerable.Range(0, 8).Select(i => client.GetAsync($"/tiles/samples/12/{1990 + i}/1960.mvt")).ToList();
        var most = 0L;
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(100);
            most = Math.Max(most, await server.Database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'napgeo-tiles' AND state = 'active'"));
        }
        Assert.Equal(2L, most);
        await using (var release = new NpgsqlCommand("COMMIT", locker)) await release.ExecuteNonQueryAsync();
        foreach (var response in await Task.WhenAll(tiles))
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent, $"{(int)response.StatusCode}");
    }

    [Fact]
    public async Task Its_connections_ask_the_database_to_notice_a_client_that_went_away()
    {
        await using var db = NapGeo.Database.NapGeoDatabase.Create(server.Database.ConnectionString);
        await using var cmd = db.CreateCommand("SHOW client_connection_check_interval");
        Assert.Equal("5s", await cmd.ExecuteScalarAsync());
    }
}

public sealed class CommandTimeoutTests(OneSecondCommandsServer server) : IClassFixture<OneSecondCommandsServer>
{
    [Fact]
    public async Task A_write_that_waits_past_the_command_timeout_is_a_busy_database_not_an_unreachable_one()
    {
        await using var locker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { Pooling = false }.ConnectionString);
        await locker.OpenAsync();
        await using (var lockCmd = new NpgsqlCommand("BEGIN; LOCK TABLE samples IN ACCESS EXCLUSIVE MODE", locker)) await lockCmd.ExecuteNonQueryAsync();

        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/samples", Sample(-1.95, 5.31));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Database busy", (await response.JsonAsync())["title"]!.GetValue<string>());
    }
}
