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
}
