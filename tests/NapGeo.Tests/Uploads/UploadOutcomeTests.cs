using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

/// <summary>What an upload's answer says of the file as a whole: a dry run answers as its commit would, and the counts add up.</summary>
[Collection(ApiCollection.Name)]
public sealed class UploadOutcomeTests(NapGeoServer server)
{
    private Task<(HttpStatusCode Status, JsonObject Body)> UploadAsync(string file, string name, params (string, string)[] fields) =>
        UploadSamplesAsync(server.Editor(), Encoding.UTF8.GetBytes(file), name, fields);

    private static string Counts(JsonObject upload) =>
        string.Join(",", new[] { "rows", "valid", "invalid", "inserted", "updated", "unchanged" }.Select(c => $"{c} {upload["counts"]![c]}"));

    [Fact]
    public async Task A_dry_run_of_a_file_its_commit_would_reject_says_so_and_counts_nothing_written()
    {
        // The dry run said "inserted: 2" of a file that its commit answered with 422 and 0 rows.
        var campaign = Unique("WOULDREJECT");
        var csv = "sample_id,matrix,value,unit,latitude,longitude\nA1,soil,1,mg/kg,5.3,-1.9\nA2,soil,2,mg/kg,5.3,-1.9\nA3,lava,1,mg/kg,5.3,-1.9\n";
        var (dryStatus, dry) = await UploadAsync(csv, "a.csv", ("campaign", campaign), ("mode", "dry-run"));
        Assert.True(dryStatus == HttpStatusCode.OK, dry.ToJsonString());
        Assert.Equal("dry-run", dry["status"]!.GetValue<string>());
        Assert.Equal("rows 3,valid 2,invalid 1,inserted 0,updated 0,unchanged 0", Counts(dry));
        Assert.Equal(
        [
            "||||A commit would reject this file (on_error=reject-all) for its 1 invalid row, so nothing would be stored: correct it, or send on_error=skip-invalid to load the 2 valid rows.",
            "4|matrix|lava|matrix|'lava' is not one of: soil, sediment, tailings, water, air, fish, hair, urine, blood, other.",
        ], Lines(dry, "errors"));
        var (commitStatus, commit) = await UploadAsync(csv, "a.csv", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, commitStatus);
        Assert.Equal("rows 3,valid 2,invalid 1,inserted 0,updated 0,unchanged 0", Counts(commit));

        // Skipping the invalid row, the dry run counts what the commit inserts.
        var (_, skipping) = await UploadAsync(csv, "a.csv", ("campaign", campaign), ("mode", "dry-run"), ("on_error", "skip-invalid"));
        Assert.Equal("rows 3,valid 2,invalid 1,inserted 2,updated 0,unchanged 0", Counts(skipping));
        Assert.Equal(["4|matrix|lava|matrix|'lava' is not one of: soil, sediment, tailings, water, air, fish, hair, urine, blood, other."], Lines(skipping, "errors"));
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = $1", campaign));
    }

    [Fact]
    public async Task A_dry_run_of_a_gpx_with_tracks_only_gives_the_commits_message()
    {
        var gpx = """
            <?xml version="1.0" encoding="UTF-8"?>
            <gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
            <trk><name>walk</name><trkseg><trkpt lat="5.31" lon="-1.95"/><trkpt lat="5.32" lon="-1.96"/></trkseg></trk>
            </gpx>
            """;
        var campaign = Unique("TRACKS");
        var (dryStatus, dry) = await UploadAsync(gpx, "t.gpx", ("campaign", campaign), ("mode", "dry-run"));
        Assert.True(dryStatus == HttpStatusCode.OK, dry.ToJsonString());
        Assert.Equal(["||||The file has no features (a GPX with tracks only? samples are waypoints)."], Lines(dry, "errors"));
        var (commitStatus, commit) = await UploadAsync(gpx, "t.gpx", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, commitStatus);
        Assert.Equal(Lines(dry, "errors"), Lines(commit, "errors"));
    }

    [Fact]
    public async Task File_warnings_are_counted_with_the_rows_warnings()
    {
        // counts.warnings said 0 beside a listed ignored_columns warning.
        var campaign = Unique("FILEWARN");
        var csv = "sample_id,matrix,value,unit,latitude,longitude,collector\nF1,soil,1,mg/kg,5.3,-1.9,Ama\nF1,soil,2,mg/kg,5.3,-1.9,Kofi\n";
        var (status, body) = await UploadAsync(csv, "f.csv", ("campaign", campaign), ("mode", "dry-run"));
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        // Where other tests have stored sites, far_from_sites warnings follow these two.
        var kinds = body["warnings"]!.AsArray().Select(w => w!["kind"]!.GetValue<string>()).ToList();
        Assert.Equal(["ignored_columns", "duplicate_id"], kinds.Where(k => k != "far_from_sites"));
        Assert.Equal(kinds.Count, body["counts"]!["warnings"]!.GetValue<int>());
    }
}
