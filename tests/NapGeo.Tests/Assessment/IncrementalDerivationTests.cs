using System.Net;
using NapGeo.Assessment;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Assessment.Fixture;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Assessment;

/// <summary>
/// A derivation writes only the derived hotspots that are new, changed or gone, so the audit log holds real changes.
/// Each test clusters its own samples at a place of its own (sediment 1.7 mg/kg = 10× the ISQG, three samples 150 m
/// apart = one cluster); the tests of a class run one after the other, so each derivation's audit rows are its test's.
/// </summary>
public sealed class IncrementalDerivationTests(NapGeoServer server) : IClassFixture<NapGeoServer>
{
    /// <summary>The ids of the samples made, in order.</summary>
    private async Task<List<Guid>> ClusterAsync(double lon, double lat, params double[] values)
    {
        var (campaign, ids) = (Unique("INC"), new List<Guid>());
        for (var i = 0; i < values.Length; i++)
            ids.Add((await server.Editor().CreateAsync("samples", Sample($"I{i}", campaign, Offset(lon, lat, 150.0 * i, 0), "sediment", values[i], "mg/kg"))).Id);
        return ids;
    }

    private async Task SetValueAsync(Guid sample, double value)
    {
        var client = server.Editor();
        var etag = (await client.GetAsync($"/api/samples/{sample}")).Headers.ETag!.Tag;
        var patch = new System.Text.Json.Nodes.JsonObject { ["type"] = "Feature", ["properties"] = new System.Text.Json.Nodes.JsonObject { ["value"] = value } };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, $"/api/samples/{sample}", patch, etag)).StatusCode);
    }

    private async Task<DeriveResult> DeriveAsync(string actor)
    {
        await using var db = server.Database.CreateDataSource();
        return await new HotspotDerivation(db).DeriveAsync(new DeriveParameters(), actor, CancellationToken.None);
    }

    private Task<long> HotspotAuditRowsAsync(string actor, string? action = null) => server.Database.ScalarAsync<long>(
        "SELECT count(*) FROM audit_log WHERE table_name = 'hotspots' AND actor = $1 AND ($2 = '' OR action = $2)", actor, action ?? "");

    /// <summary>What a derivation wrote to the hotspots, for the assertion messages: action, name, changed columns.</summary>
    private Task<string> HotspotAuditAsync(string actor) => server.Database.ScalarAsync<string>(
        """
        SELECT coalesce(string_agg(action || ' ' || coalesce(after->>'name', before->>'name') || ' ' || coalesce((
                   SELECT string_agg(k, ',') FROM jsonb_object_keys(coalesce(after, '{}')) k
                   WHERE after->k IS DISTINCT FROM before->k), ''), '; ' ORDER BY id), '')
        FROM audit_log WHERE table_name = 'hotspots' AND actor = $1
        """, actor);

    private Task<Guid> HotspotNearAsync(double lon, double lat) => server.Database.ScalarAsync<Guid>(
        "SELECT id FROM hotspots WHERE origin = 'derived' AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.01)", lon, lat);

    [Fact]
    public async Task Deriving_again_from_the_same_samples_writes_no_hotspot_and_no_audit_row()
    {
        await ClusterAsync(-0.5, 9.5, 1.7, 1.7, 1.7);
        var first = await DeriveAsync("derive-same-1");
        var id = await HotspotNearAsync(-0.5, 9.5);
        Assert.Contains(first.Hotspots, h => h.Id == id);
        Assert.Equal(1L, await HotspotAuditRowsAsync("derive-same-1", "insert"));

        var second = await DeriveAsync("derive-same-2");
        Assert.Equal(0L, await HotspotAuditRowsAsync("derive-same-2"));
        Assert.Equal(0, second.Removed);
        Assert.Equal(first.Hotspots, second.Hotspots); // the full current list, not only what changed
        Assert.Equal(1, await server.Database.ScalarAsync<int>("SELECT version FROM hotspots WHERE id = $1", id));
    }

    [Fact]
    public async Task A_changed_sample_rewrites_only_its_clusters_hotspot_and_a_vanished_cluster_is_the_one_removed()
    {
        var changing = await ClusterAsync(0.5, 8.5, 1.7, 1.7, 1.7);
        await ClusterAsync(0.5, 8.7, 1.7, 1.7, 1.7); // ~22 km north: a cluster of its own
        await DeriveAsync("derive-change-1");
        var (changingId, steadyId) = (await HotspotNearAsync(0.5, 8.5), await HotspotNearAsync(0.5, 8.7));

        // Same members (so the same id), a higher maximum: 5.1 mg/kg = 30× ISQG.
        await SetValueAsync(changing[0], 5.1);
        var changed = await DeriveAsync("derive-change-2");
        Assert.True(await HotspotAuditRowsAsync("derive-change-2") == 1, await HotspotAuditAsync("derive-change-2"));
        Assert.Equal($"update {changingId}", await server.Database.ScalarAsync<string>(
            "SELECT action || ' ' || row_id FROM audit_log WHERE actor = 'derive-change-2' AND table_name = 'hotspots'"));
        Assert.Equal(30, changed.Hotspots.Single(h => h.Id == changingId).MaxRatio, 6);
        Assert.Equal(0, changed.Removed);
        Assert.Equal(1, await server.Database.ScalarAsync<int>("SELECT version FROM hotspots WHERE id = $1", steadyId));

        // Below the guideline (0.17 mg/kg) the first cluster has two exceeding samples left: no hotspot.
        await SetValueAsync(changing[1], 0.1);
        var shrunk = await DeriveAsync("derive-change-3");
        Assert.Equal(1, shrunk.Removed);
        Assert.Equal(1L, await HotspotAuditRowsAsync("derive-change-3", "delete"));
        Assert.Equal(changingId, await server.Database.ScalarAsync<Guid>(
            "SELECT row_id FROM audit_log WHERE actor = 'derive-change-3' AND table_name = 'hotspots' AND action = 'delete'"));
        // Names number the clusters of a medium group in member order, so a sediment hotspot ranked after the removed
        // one is renamed ("… hotspot 2" → "… hotspot 1"): a real change. Nothing else is written.
        Assert.True(0L == await server.Database.ScalarAsync<long>("""
            SELECT count(*) FROM audit_log
            WHERE actor = 'derive-change-3' AND table_name = 'hotspots' AND action <> 'delete'
              AND (action <> 'update' OR EXISTS (
                   SELECT 1 FROM jsonb_object_keys(after) k
                   WHERE after->k IS DISTINCT FROM before->k AND k NOT IN ('name', 'version', 'updated_at')))
            """), await HotspotAuditAsync("derive-change-3"));
        Assert.DoesNotContain(shrunk.Hotspots, h => h.Id == changingId);
        Assert.Contains(shrunk.Hotspots, h => h.Id == steadyId);
    }
}
