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

    /// <summary>A multipart body whose end is sent only when <see cref="Finish"/> is called: an upload still arriving.</summary>
    private sealed class SlowUpload(string boundary) : HttpContent
    {
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Finish() => _finish.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"target\"\r\n\r\nsamples\r\n"));
            await stream.FlushAsync();
            await _finish.Task;
            await stream.WriteAsync(Encoding.UTF8.GetBytes(
                $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.csv\"\r\nContent-Type: text/csv\r\n\r\n{Csv}\r\n--{boundary}--\r\n"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task An_upload_beyond_the_gate_is_a_503_to_retry_and_the_first_goes_on()
    {
        const string boundary = "napgeo-gate";
        var slow = new SlowUpload(boundary);
        slow.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
        var first = server.Editor().PostAsync("/api/uploads?campaign=GATE-1", slow);
        // The first holds the gate once the server has begun reading it: wait for that, not for a time.
        for (var i = 0; i < 100 && !first.IsCompleted; i++)
        {
            var probe = await UploadFiles.PostAsync(server.Editor(), Encoding.UTF8.GetBytes(Csv), "probe.csv", ("target", "samples"), ("campaign", "GATE-2"), ("mode", "dry-run"));
            if (probe.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.Equal(TimeSpan.FromSeconds(30), probe.Headers.RetryAfter!.Delta);
                Assert.Contains("uploads are running", (await probe.JsonAsync())["detail"]!.GetValue<string>());
                break;
            }
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode); // the first had not reached the gate yet
            Assert.True(i < 99, "the first upload never held the gate");
            await Task.Delay(50);
        }
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync("/api/samples?limit=1")).StatusCode); // reads go on

        slow.Finish();
        var answer = await first;
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        var after = await UploadFiles.PostAsync(server.Editor(), Encoding.UTF8.GetBytes(Csv), "after.csv", ("target", "samples"), ("campaign", "GATE-3"));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
    }
}
