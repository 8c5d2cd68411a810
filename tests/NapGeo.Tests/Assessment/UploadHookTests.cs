using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NapGeo.Assessment;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Assessment.Fixture;

namespace NapGeo.Tests.Assessment;

/// <summary>The upload commit hook re-derives hotspots unless NapGeo:Assessment:DeriveAfterUpload is false.</summary>
public sealed class UploadHookTests(NapGeoServer server) : IClassFixture<NapGeoServer>
{
    [Fact]
    public async Task A_committed_sample_upload_re_derives_hotspots_when_enabled()
    {
        var client = server.Editor();
        foreach (var (id, east) in new[] { ("U1", 0.0), ("U2", 150.0), ("U3", 300.0) })
            await client.CreateAsync("samples", Sample(id, "HOOK", Offset(-1.5, 6.5, east, 0), "sediment", 1.7, "mg/kg")); // 10× ISQG

        await using var db = server.Database.CreateDataSource();
        var derivation = new HotspotDerivation(db);
        var upload = Guid.NewGuid();

        var off = new DeriveAfterUploadHook(derivation, Options.Create(new AssessmentOptions { DeriveAfterUpload = false }), NullLogger<DeriveAfterUploadHook>.Instance);
        await off.OnCommittedAsync(upload, "samples", CancellationToken.None);
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM hotspots WHERE origin = 'derived'"));

        var on = new DeriveAfterUploadHook(derivation, Options.Create(new AssessmentOptions()), NullLogger<DeriveAfterUploadHook>.Instance);
        await on.OnCommittedAsync(upload, "sites", CancellationToken.None); // sites do not move clusters
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM hotspots WHERE origin = 'derived'"));
        await on.OnCommittedAsync(upload, "samples", CancellationToken.None);
        Assert.Equal("river_sediment", await server.Database.ScalarAsync<string>("SELECT kind FROM hotspots WHERE origin = 'derived'"));
        Assert.Equal(1L, await server.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE table_name = 'hotspots' AND action = 'insert' AND actor = $1", $"upload:{upload}"));
    }
}
