using System.Net;
using NapGeo.Tests.Infrastructure;
using Npgsql;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Features;

/// <summary>Last-Modified is given only when If-Modified-Since can rely on it: no 304 over data that changed.</summary>
[Collection(DemoCollection.Name)]
public sealed class LastModifiedTests(DemoDataServer server)
{
    /// <summary>A page once the layer's newest change is a whole second old: only then does it carry Last-Modified.</summary>
    public static async Task<HttpResponseMessage> SettledAsync(HttpClient client, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await client.GetAsync(path);
            if (response.Content.Headers.LastModified is not null || attempt == 30) return response;
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_write_from_a_transaction_begun_before_the_response_is_not_answered_304()
    {
        var client = server.Editor();
        var campaign = Unique("SINCE");
        var path = $"/ogc/collections/samples/items?campaign={campaign}";

        // A transaction begins (its now() is fixed from here) and writes only after the page below was served.
        await using var late = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { Pooling = false }.ConnectionString);
        await late.OpenAsync();
        await using var tx = await late.BeginTransactionAsync();
        await using (var begin = new NpgsqlCommand("SELECT now()", late, tx)) await begin.ExecuteScalarAsync();

        var first = Sample(-1.61, 6.71);
        first["properties"]!["campaign"] = campaign;
        await client.CreateAsync("samples", first);
        var served = await SettledAsync(client, path);
        var lastModified = served.Content.Headers.LastModified;
        Assert.NotNull(lastModified);

        await using (var write = new NpgsqlCommand(
            "INSERT INTO samples (external_id, campaign, geom, matrix, value, unit, sampled_at) " +
            "VALUES ('LATE-1', $1, ST_SetSRID(ST_MakePoint(-1.62, 6.72), 4326), 'soil', 1, 'mg/kg', '2024-05-02T00:00:00Z')",
            late, tx) { Parameters = { new() { Value = campaign } } })
            await write.ExecuteNonQueryAsync();
        // While it is open nothing can say when the layer last changed.
        Assert.Null((await client.GetAsync(path)).Content.Headers.LastModified);
        await tx.CommitAsync();

        var since = new HttpRequestMessage(HttpMethod.Get, path);
        since.Headers.IfModifiedSince = lastModified;
        var response = await client.SendAsync(since);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.JsonAsync())["numberMatched"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_single_feature_carries_when_it_last_changed_and_answers_if_modified_since()
    {
        var client = server.Editor();
        var (id, etag, _) = await client.CreateAsync("samples", Sample(-1.63, 6.73));
        var path = $"/ogc/collections/samples/items/{id}";
        var served = await SettledAsync(client, path);
        var lastModified = served.Content.Headers.LastModified;
        Assert.NotNull(lastModified);
        // The row's own audit time, not the layer's newest change or the time of the response.
        await using (var db = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await db.OpenAsync();
            await using var changed = new NpgsqlCommand(
                "SELECT date_trunc('second', max(at)) FROM audit_log WHERE table_name = 'samples' AND row_id = $1", db) { Parameters = { new() { Value = id } } };
            Assert.Equal(lastModified, new DateTimeOffset((DateTime)(await changed.ExecuteScalarAsync())!));
        }

        var since = new HttpRequestMessage(HttpMethod.Get, path);
        since.Headers.IfModifiedSince = lastModified;
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(since)).StatusCode);

        var edited = Sample(-1.63, 6.73, value: 7.5);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Put, $"/api/samples/{id}", edited, etag)).StatusCode);
        var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfModifiedSince = lastModified;
        var response = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(7.5, (await response.JsonAsync())["properties"]!["value"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_single_feature_gives_no_last_modified_while_a_writer_is_open()
    {
        var client = server.Editor();
        var (id, _, _) = await client.CreateAsync("samples", Sample(-1.64, 6.74));
        var path = $"/ogc/collections/samples/items/{id}";
        Assert.NotNull((await SettledAsync(client, path)).Content.Headers.LastModified);

        await using var open = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { Pooling = false }.ConnectionString);
        await open.OpenAsync();
        await using var tx = await open.BeginTransactionAsync();
        // The open writer may be about to change this very row, within the second the client would be told.
        await using (var write = new NpgsqlCommand("UPDATE samples SET notes = 'open' WHERE id = $1", open, tx) { Parameters = { new() { Value = id } } })
            Assert.Equal(1, await write.ExecuteNonQueryAsync());
        var during = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.Null(during.Content.Headers.LastModified);
        await tx.RollbackAsync();
    }
}
