using System.Net;
using System.Text;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Assessment.Fixture;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Assessment;

/// <summary>
/// An upload that inserts and updates nothing (the same file again), or the roll-back of one, does not re-derive the
/// hotspots: on a large baseline that is minutes of clustering for no change. A server of its own, because the test
/// leaves a derived hotspot renamed by hand, which any derivation elsewhere would put back.
/// </summary>
public sealed class NoOpUploadDerivationTests(NapGeoServer server) : IClassFixture<NapGeoServer>
{
    private Task<long> HotspotAuditRowsAsync(string actor, string action) => server.Database.ScalarAsync<long>(
        "SELECT count(*) FROM audit_log WHERE table_name = 'hotspots' AND actor = $1 AND action = $2", actor, action);

    private Task<long> AllHotspotAuditRowsAsync(string actor) => server.Database.ScalarAsync<long>(
        "SELECT count(*) FROM audit_log WHERE table_name = 'hotspots' AND actor = $1", actor);

    private Task<Guid> HotspotNearAsync(double lon, double lat) => server.Database.ScalarAsync<Guid>(
        "SELECT id FROM hotspots WHERE origin = 'derived' AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.01)", lon, lat);

    [Fact]
    public async Task An_upload_or_roll_back_that_changes_no_row_does_not_derive()
    {
        var (lon, lat) = (-1.2, 10.2);
        var csv = new StringBuilder("sample_id,matrix,lat,lon,value,unit\n");
        foreach (var (id, east) in new[] { ("D1", 0.0), ("D2", 150.0), ("D3", 300.0) })
        {
            var at = Offset(lon, lat, east, 0);
            csv.Append($"{id},sediment,{at.Lat:R},{at.Lon:R},1.7,mg/kg\n");
        }
        var file = Encoding.UTF8.GetBytes(csv.ToString());
        var campaign = Unique("SAME");
        var first = await (await PostAsync(server.Editor(), file, "same.csv", ("target", "samples"), ("campaign", campaign))).JsonAsync();
        var hotspot = await HotspotNearAsync(lon, lat);
        Assert.Equal(1L, await HotspotAuditRowsAsync($"upload:{first["id"]}", "insert"));

        // A derivation would put the derived name back: while it stays, no derivation has run.
        await server.Database.ScalarAsync<object>("UPDATE hotspots SET name = 'Renamed by hand' WHERE id = $1", hotspot);
        var response = await PostAsync(server.Editor(), file, "same.csv", ("target", "samples"), ("campaign", campaign));
        var again = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, again.ToJsonString());
        Assert.Equal(0, again["counts"]!["inserted"]!.GetValue<int>());
        Assert.Equal(0, again["counts"]!["updated"]!.GetValue<int>());
        Assert.Equal("Renamed by hand", await server.Database.ScalarAsync<string>("SELECT name FROM hotspots WHERE id = $1", hotspot));

        (await server.Editor().DeleteAsync($"/api/uploads/{again["id"]}")).EnsureSuccessStatusCode();
        Assert.Equal("Renamed by hand", await server.Database.ScalarAsync<string>("SELECT name FROM hotspots WHERE id = $1", hotspot));
        Assert.Equal(0L, await AllHotspotAuditRowsAsync($"upload:{again["id"]}"));
    }
}
