using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Uploads;

/// <summary>
/// A field team's link drops, or a proxy stops waiting (nginx after 60 s), while a large commit runs. The commit was rolled
/// back as "cancelled", though the whole file had arrived and the team would only learn it by asking again.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class UploadClientGoneTests(NapGeoServer server)
{
    private static MultipartFormDataContent Form(byte[] file, params (string Name, string Value)[] fields)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields) content.Add(new StringContent(value), name);
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(part, "file", "away.csv");
        return content;
    }

    private async Task<JsonObject?> RecordAsync(Guid id)
    {
        var response = await server.Editor().GetAsync($"/api/uploads/{id}");
        return response.StatusCode == HttpStatusCode.OK ? await response.JsonAsync() : null;
    }

    [Fact]
    public async Task A_commit_runs_to_its_end_after_its_client_has_gone_and_its_record_says_so()
    {
        const int rows = 40_000; // seconds of work after the transfer: time to leave in the middle
        var csv = new StringBuilder("sample_id,matrix,lat,lon,value,unit,date\n");
        for (var i = 0; i < rows; i++)
            csv.Append(FormattableString.Invariant($"G{i},soil,{-60 - i % 200 * 0.001:0.000},{120 + i / 200 * 0.001:0.000},1.5,mg/kg,2024-01-01\n"));
        var (id, campaign) = (Guid.NewGuid(), Unique("GONE"));
        using var content = Form(Encoding.UTF8.GetBytes(csv.ToString()), ("target", "samples"), ("campaign", campaign), ("id", id.ToString()));

        using var leave = new CancellationTokenSource();
        var post = server.Editor().PostAsync("/api/uploads", content, leave.Token);
        // The commit is under way once its record says rows are being read; then the client goes away.
        JsonObject? running = null;
        for (var i = 0; i < 600 && running is null; i++)
        {
            if (await RecordAsync(id) is { } r && r["status"]!.GetValue<string>() == "running" && r["progress"]?["total"] is not null) running = r;
            else await Task.Delay(50);
        }
        Assert.NotNull(running);
        Assert.False(post.IsCompleted, "the upload finished before the client could leave: make the file larger");
        leave.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => post);

        string status;
        var waited = 0;
        do
        {
            await Task.Delay(200);
            status = (await RecordAsync(id))!["status"]!.GetValue<string>();
        } while (status == "running" && ++waited < 600);
        Assert.Equal("committed", status);
        Assert.Equal(rows, await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = $1", campaign));
    }
}
