using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Database;
using NapGeo.Tests.Infrastructure;
using NapGeo.Uploads;

namespace NapGeo.Tests.Uploads;

/// <summary>An upload whose process dies leaves a "running" record behind; readers must not show it as running forever.</summary>
[Collection(ApiCollection.Name)]
public sealed class AbandonedUploadTests(NapGeoServer server)
{
    private static UploadRecord Running(Guid id) => new()
    {
        Id = id, FileName = "field.csv", Sha256 = new string('0', 64), KeyName = "editor", Format = "csv", Target = "samples",
        Mode = "commit", OnError = "reject-all", Status = "running", CreatedAt = DateTime.UtcNow,
    };

    private async Task<JsonNode> GetAsync(Guid id)
    {
        var response = await server.Editor().GetAsync($"/api/uploads/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    [Fact]
    public async Task A_running_upload_whose_transaction_is_gone_reads_as_failed_and_a_live_one_stays_running()
    {
        await using var db = server.Database.CreateDataSource();
        var store = new UploadStore(db);
        var (dead, live) = (Guid.NewGuid(), Guid.NewGuid());

        // What the upload service does, step for step: the transaction takes the lock, then the record is committed.
        var liveUpload = await WriteTransaction.BeginAsync(db, "editor", CancellationToken.None);
        await store.HoldRunningLockAsync(liveUpload, live, CancellationToken.None);
        await store.InsertAsync(Running(live), CancellationToken.None);
        await using (var crashed = await WriteTransaction.BeginAsync(db, "editor", CancellationToken.None))
        {
            await store.HoldRunningLockAsync(crashed, dead, CancellationToken.None);
            await store.InsertAsync(Running(dead), CancellationToken.None);
        } // its transaction ends without a word, as when the process is killed

        // The list first (it repairs too), then each record with its report.
        var listed = JsonNode.Parse(await server.Editor().GetStringAsync("/api/uploads?limit=500"))!.AsArray()
            .ToDictionary(u => u!["id"]!.GetValue<Guid>(), u => u!["status"]!.GetValue<string>());
        Assert.Equal(("failed", "running"), (listed[dead], listed[live]));
        var deadRecord = await GetAsync(dead);
        Assert.Equal("failed", deadRecord["status"]!.GetValue<string>());
        Assert.Equal([UploadStore.AbandonedReason], deadRecord["errors"]!.AsArray().Select(e => e!["reason"]!.GetValue<string>()));
        Assert.NotNull(deadRecord["finished_at"]);
        Assert.Equal("running", (await GetAsync(live))["status"]!.GetValue<string>());

        await liveUpload.DisposeAsync();
        Assert.Equal("failed", (await GetAsync(live))["status"]!.GetValue<string>());
        Assert.Equal("failed", await server.Database.ScalarAsync<string>("SELECT status FROM uploads WHERE id = $1", live));
    }
}
