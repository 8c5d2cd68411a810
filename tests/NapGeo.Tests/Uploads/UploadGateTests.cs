using System.Net;
using System.Text;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Uploads;

/// <summary>One upload at a time, none waiting: the gate's edges without timing.</summary>
public sealed class UploadGateServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("NapGeo:Uploads:Concurrent", "1"), new("NapGeo:Uploads:Queued", "0")];
}

/// <summary>
/// An upload holds a transaction and a progress connection while it runs: enough of them at once took the whole pool,
/// as slow downloads did. Uploads have a gate of their own.
/// </summary>
public sealed class UploadGateTests(UploadGateServer server) : IClassFixture<UploadGateServer>
{
    private const string Csv = "sample_id,matrix,value,unit,latitude,longitude\nG1,soil,1.5,mg/kg,5.3,-1.9\n";

    /// <summary>
    /// A multipart upload of which the server gets the first part of the file (over 4 KB, so it reaches the disk), then
    /// nothing until <see cref="Finish"/>: an upload still arriving, holding its place in the gate.
    /// </summary>
    private sealed class SlowUpload(string boundary, string marker) : HttpContent
    {
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Finish() => _finish.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var rows = new StringBuilder($"sample_id,matrix,value,unit,latitude,longitude,{marker}\n");
            for (var i = 0; rows.Length < 10_000; i++) rows.Append($"S{i},soil,1.5,mg/kg,5.3,-1.9,\n");
            await stream.WriteAsync(Encoding.UTF8.GetBytes(
                $"--{boundary}\r\nContent-Disposition: form-data; name=\"target\"\r\n\r\nsamples\r\n" +
                $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.csv\"\r\nContent-Type: text/csv\r\n\r\n{rows}"));
            await stream.FlushAsync();
            await _finish.Task;
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"\r\n--{boundary}--\r\n"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>
    /// Whether the server is writing the upload whose header holds <paramref name="marker"/>, and so is past the gate.
    /// Read with head(1): the server holds its file open exclusively, which .NET's own readers respect.
    /// </summary>
    private static async Task<bool> ArrivedAsync(string marker)
    {
        foreach (var file in Directory.EnumerateDirectories(Path.GetTempPath(), "napgeo-post-*").SelectMany(Directory.EnumerateFiles))
        {
            var head = new System.Diagnostics.ProcessStartInfo("head", ["-c", "200", file]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = System.Diagnostics.Process.Start(head)!;
            var start = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (start.Contains(marker)) return true;
        }
        return false;
    }

    [Fact]
    public async Task An_upload_beyond_the_gate_is_a_503_to_retry_and_the_first_goes_on()
    {
        const string boundary = "napgeo-gate";
        var marker = "gate_" + Guid.NewGuid().ToString("N");
        var slow = new SlowUpload(boundary, marker);
        slow.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
        var first = server.Editor().PostAsync("/api/uploads?campaign=GATE-1", slow);
        var arrived = false;
        for (var i = 0; i < 200 && !(arrived = await ArrivedAsync(marker)); i++) await Task.Delay(50);
        Assert.True(arrived, "the first upload did not reach the server");

        var refused = await UploadFiles.PostAsync(server.Editor(), Encoding.UTF8.GetBytes(Csv), "second.csv", ("target", "samples"), ("campaign", "GATE-2"), ("mode", "dry-run"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter!.Delta);
        Assert.Contains("uploads are running", (await refused.JsonAsync())["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync("/api/samples?limit=1")).StatusCode); // reads go on

        slow.Finish();
        var answer = await first;
        Assert.True(answer.StatusCode == HttpStatusCode.Created, await answer.Content.ReadAsStringAsync());
        var after = await UploadFiles.PostAsync(server.Editor(), Encoding.UTF8.GetBytes(Csv), "after.csv", ("target", "samples"), ("campaign", "GATE-3"));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
    }
}
