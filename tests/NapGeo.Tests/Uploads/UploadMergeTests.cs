using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NapGeo.Geometry;
using NapGeo.Layers;
using NapGeo.Tests.Infrastructure;
using NapGeo.Uploads;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

/// <summary>Re-uploads that lack columns, keys twice in one file, the same file twice, and references to rows that do not exist.</summary>
[Collection(ApiCollection.Name)]
public sealed class UploadMergeTests(NapGeoServer server)
{
    private const string Wkt = "POLYGON((-1.9 5.3,-1.89 5.3,-1.89 5.31,-1.9 5.31,-1.9 5.3))";

    private Task<string> SiteAsync(string code) => server.Database.ScalarAsync<string>(
        "SELECT concat_ws('|', name, status, whole_ore_amalgamation, miners_total, miners_women, mercury_use_kg_yr, survey_date, coalesce(admin1, 'null'), version) " +
        "FROM sites WHERE site_code = $1", code);

    private async Task<(HttpStatusCode Status, JsonObject Body)> UploadAsync(string text, string fileName, params (string Name, string Value)[] fields)
    {
        var response = await PostAsync(server.Editor(), Encoding.UTF8.GetBytes(text), fileName, fields);
        return (response.StatusCode, await response.JsonAsync());
    }

    private static string Counts(JsonObject upload) =>
        string.Join(",", new[] { "valid", "invalid", "inserted", "updated", "unchanged" }.Select(c => $"{c} {upload["counts"]![c]}"));

    [Fact]
    public async Task A_site_reupload_without_some_columns_keeps_the_stored_values_of_those_columns()
    {
        var code = Unique("MERGE");
        await server.Editor().CreateAsync("sites", Site(code)); // admin1 Western, active, whole-ore amalgamation, 120 miners, 40 women, 12.5 kg Hg, surveyed 2024-03-01
        var before = "Test site|active|t|120|40|12.5|2024-03-01|Western";
        Assert.Equal(before + "|1", await SiteAsync(code));
        var partial = $"site_code;name;country;wkt\n{code};Renamed;GHA;{Wkt}\n";

        // The dry run's preview is the row as a commit stores it: renamed, nothing else touched.
        var (status, dry) = await UploadAsync(partial, "names.csv", ("target", "sites"), ("mode", "dry-run"));
        Assert.True(status == HttpStatusCode.OK, dry.ToJsonString());
        Assert.Equal("valid 1,invalid 0,inserted 0,updated 1,unchanged 0", Counts(dry));
        var preview = dry["preview"]!["features"]![0]!["properties"]!;
        Assert.Equal("Renamed|active|true|120|12.5|2024-03-01|Western",
            $"{preview["name"]}|{preview["status"]}|{preview["whole_ore_amalgamation"]}|{preview["miners_total"]}|{preview["mercury_use_kg_yr"]}|{preview["survey_date"]}|{preview["admin1"]}");
        Assert.Equal(before + "|1", await SiteAsync(code));

        var (_, committed) = await UploadAsync(partial, "names.csv", ("target", "sites"));
        Assert.Equal("valid 1,invalid 0,inserted 0,updated 1,unchanged 0", Counts(committed));
        Assert.Equal("Renamed|active|t|120|40|12.5|2024-03-01|Western|2", await SiteAsync(code));
        var (_, again) = await UploadAsync(partial, "names.csv", ("target", "sites"));
        Assert.Equal("valid 1,invalid 0,inserted 0,updated 0,unchanged 1", Counts(again));

        // A column that is there with an empty cell clears the field (its default or null), as it always did.
        var (_, cleared) = await UploadAsync($"site_code;name;country;status;admin1;wkt\n{code};Renamed;GHA;;;{Wkt}\n", "cleared.csv", ("target", "sites"));
        Assert.Equal("valid 1,invalid 0,inserted 0,updated 1,unchanged 0", Counts(cleared));
        Assert.Equal("Renamed|unknown|t|120|40|12.5|2024-03-01|null|3", await SiteAsync(code));

        // Required fields: a stored site has them, so a file may leave them out for it; a new site needs them.
        var fresh = Unique("MERGE");
        var statusOnly = $"site_code;status;wkt\n{code};inactive;{Wkt}\n{fresh};active;{Wkt}\n";
        var (rejectedStatus, rejected) = await UploadAsync(statusOnly, "status.csv", ("target", "sites"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, rejectedStatus);
        Assert.Equal(["3|||name|is required.", "3|||country|is required."], Lines(rejected, "errors"));
        var (_, skipped) = await UploadAsync(statusOnly, "status.csv", ("target", "sites"), ("on_error", "skip-invalid"));
        Assert.Equal("valid 1,invalid 1,inserted 0,updated 1,unchanged 0", Counts(skipped));
        Assert.Equal("Renamed|inactive|t|120|40|12.5|2024-03-01|null|4", await SiteAsync(code));

        // A new site in a file without some columns gets their defaults.
        var (_, inserted) = await UploadAsync($"site_code;name;country;wkt\n{fresh};New;GHA;{Wkt}\n", "new.csv", ("target", "sites"));
        Assert.Equal("valid 1,invalid 0,inserted 1,updated 0,unchanged 0", Counts(inserted));
        Assert.Equal("New|unknown|f|null|1", await SiteAsync(fresh)); // concat_ws leaves out the nulls
    }

    [Fact]
    public async Task A_row_changed_by_someone_else_between_its_read_and_the_merge_refuses_the_file()
    {
        var code = Unique("MOVED");
        await server.Editor().CreateAsync("sites", Site(code));
        await using var db = server.Database.CreateDataSource();
        var transforms = new CrsTransforms(db);
        var service = new UploadService(db, new FeatureInput(new GeometryInput(transforms)), new UploadStore(db),
            Microsoft.Extensions.Options.Options.Create(new UploadOptions()), transforms, new ServiceCollection().BuildServiceProvider(), NullLogger<UploadService>.Instance);
        var path = Path.Combine(Folder(), "names.csv");
        await File.WriteAllTextAsync(path, $"site_code;name;country;wkt\n{code};Renamed;GHA;{Wkt}\n");
        // Progress is reported once the rows are staged, before the merge: an edit then comes after the stored row was read.
        var edited = false;
        void Edit(UploadProgress _)
        {
            if (edited) return;
            edited = true;
            using var cmd = db.CreateCommand("UPDATE sites SET status = 'abandoned' WHERE site_code = $1");
            cmd.Parameters.Add(new() { Value = code });
            cmd.ExecuteNonQuery();
        }
        var id = Guid.NewGuid();
        var refused = await Assert.ThrowsAsync<UploadFileException>(() =>
            service.RunAsync(new UploadRequest(path, "names.csv", "sites", null, null, null, false, OnError.RejectAll, "test"), id, Edit, default));
        Assert.Equal(409, refused.Status);
        Assert.Equal("Someone else changed the sites of these rows while this upload ran: 2. The file does not give all their fields, " +
                     "so writing them would undo that change; nothing was stored. Upload the file again.", refused.Message);
        Assert.Equal("Test site|abandoned|t|120|40|12.5|2024-03-01|Western|2", await SiteAsync(code));
        Assert.Equal("failed", (await new UploadStore(db).GetAsync(id, default))!.Status);
    }

    [Fact]
    public async Task A_sample_reupload_without_some_columns_keeps_them_and_the_assessment_follows_the_whole_row()
    {
        var campaign = Unique("MERGE");
        var full = "sample_id,matrix,lat,lon,value,unit,date,method,notes\n" +
                   "M1,soil,5.31,-1.95,1.5,mg/kg,2024-05-02,CVAAS,near the pit\n" +
                   "M2,soil,5.31,-1.95,<0.05,mg/kg,2024-05-03,CVAAS,below the limit\n";
        var (firstStatus, first) = await UploadAsync(full, "full.csv", ("target", "samples"), ("campaign", campaign));
        Assert.True(firstStatus == HttpStatusCode.Created, first.ToJsonString());

        // The lab's second sheet has new values and no date, method or notes.
        var values = "sample_id,matrix,lat,lon,value,unit\nM1,soil,5.31,-1.95,300,mg/kg\nM2,soil,5.31,-1.95,0.2,mg/kg\n";
        var (_, second) = await UploadAsync(values, "values.csv", ("target", "samples"), ("campaign", campaign));
        Assert.Equal("valid 2,invalid 0,inserted 0,updated 2,unchanged 0", Counts(second));
        await using var db = server.Database.CreateDataSource();
        await using var cmd = db.CreateCommand(
            "SELECT concat_ws('|', external_id, value, value_normalized, below_detection, detection_limit, sampled_at::date, method, notes, " +
            "exceedance_ratio = value_normalized / guideline_value, exceedance_class) FROM samples WHERE campaign = $1 ORDER BY external_id");
        cmd.Parameters.Add(new() { Value = campaign });
        var rows = new List<string>();
        await using (var row = await cmd.ExecuteReaderAsync())
            while (await row.ReadAsync()) rows.Add(row.GetString(0));
        // The value cell says whether a result is below detection, so M2 is no longer; its detection limit is kept.
        // The assessment trigger saw the new value: 300 mg/kg of soil is far above the guideline.
        Assert.Equal(["M1|300|300|f|2024-05-02|CVAAS|near the pit|t|critical", "M2|0.2|0.2|f|0.05|2024-05-03|CVAAS|below the limit|t|below"], rows);

        var (_, again) = await UploadAsync(values, "values.csv", ("target", "samples"), ("campaign", campaign));
        Assert.Equal("valid 2,invalid 0,inserted 0,updated 0,unchanged 2", Counts(again));
    }

    [Fact]
    public async Task A_reupload_in_another_unit_converts_the_detection_limit_it_keeps()
    {
        // The limits stayed as stored while the unit changed: 20 µg/kg became 20 mg/kg, a thousand times too high.
        var campaign = Unique("REUNIT");
        var (firstStatus, first) = await UploadAsync(
            "Sample ID,Matrix,Hg (µg/kg),LOD (µg/kg),Latitude,Longitude\nS1,soil,350,20,5.6,-1.9\nS2,soil,<20,,5.6,-1.9\n", "ug.csv",
            ("target", "samples"), ("campaign", campaign));
        Assert.True(firstStatus == HttpStatusCode.Created, first.ToJsonString());
        var (status, second) = await UploadAsync("Sample ID,Hg (mg/kg),Latitude,Longitude\nS1,0.9,5.6,-1.9\nS2,0.01,5.6,-1.9\n", "mg.csv",
            ("target", "samples"), ("campaign", campaign));
        Assert.True(status == HttpStatusCode.Created, second.ToJsonString());
        Assert.Equal("S1 0.9 mg/kg 0.02 f; S2 0.01 mg/kg 0.02 f", await server.Database.ScalarAsync<string>(
            "SELECT string_agg(concat_ws(' ', external_id, value, unit, detection_limit, below_detection), '; ' ORDER BY external_id) FROM samples WHERE campaign = $1",
            campaign));

        // µg/L and µg/g creatinine are different bases: the kept limit cannot follow, so the row asks for one.
        var urine = Unique("REUNIT");
        var (urineStatus, urineFirst) = await UploadAsync("sample_id,matrix,value,unit,detection_limit,lat,lon\nU1,urine,5,µg/L,2,5.6,-1.9\n", "urine.csv",
            ("target", "samples"), ("campaign", urine));
        Assert.True(urineStatus == HttpStatusCode.Created, urineFirst.ToJsonString());
        var (adjustedStatus, adjusted) = await UploadAsync("sample_id,value,unit,lat,lon\nU1,4,µg/g creatinine,5.6,-1.9\n", "adjusted.csv",
            ("target", "samples"), ("campaign", urine));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, adjustedStatus);
        Assert.Equal(["2|unit|µg/g creatinine|detection_limit|the stored detection limit 2 µg/L is kept (the file has no detection limit), " +
                      "but cannot be converted to the row's unit µg/g creatinine: µg/L and µg/g creatinine are different bases. Give the detection limit in the file."],
            Lines(adjusted, "errors"));
    }

    [Fact]
    public async Task Rows_superseded_by_a_later_row_with_the_same_key_are_counted_as_such_not_as_unchanged()
    {
        var campaign = Unique("DUP");
        var (_, upload) = await UploadAsync("sample_id,matrix,lat,lon,value,unit\nDUP1,soil,5.31,-1.95,0.5,mg/kg\nDUP1,soil,5.31,-1.95,9.5,mg/kg\n",
            "dup.csv", ("target", "samples"), ("campaign", campaign));
        Assert.Equal("valid 2,invalid 0,inserted 1,updated 0,unchanged 0", Counts(upload));
        Assert.Equal(1, upload["counts"]!["superseded"]!.GetValue<int>());
        Assert.Equal(["3|sample_id|DUP1|external_id|the same external_id is also on row 2; the later row wins (a file should name each sample once)."],
            Lines(upload, "warnings").Where(w => w.Contains("row 2")));
        Assert.Equal(9.5, await server.Database.ScalarAsync<double>("SELECT value FROM samples WHERE campaign = $1", campaign));
    }

    [Fact]
    public async Task The_same_file_again_is_said_to_update_or_to_insert_its_rows_as_its_layer_keys_them()
    {
        var name = Unique("TWICE");
        var file = $$$"""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-1.95,5.31]},"properties":{"name":"{{{name}}}"}}]}""";
        var (_, first) = await UploadAsync(file, "hotspots.geojson", ("target", "hotspots"));
        var (_, second) = await UploadAsync(file, "hotspots.geojson", ("target", "hotspots"));
        Assert.Equal("valid 1,invalid 0,inserted 1,updated 0,unchanged 0", Counts(second));
        Assert.Equal(2L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM hotspots WHERE name = $1", name));
        Assert.EndsWith($"as upload {first["id"]}; hotspots have no key to match rows on, so its rows become new hotspots beside that upload's " +
                        $"(DELETE /api/uploads/{first["id"]} rolls that upload back).", SameFile(second));

        // Samples are keyed by campaign and external_id: a file without a campaign column is new samples under another campaign.
        var (campaign, other) = (Unique("TWICE"), Unique("OTHER"));
        var samples = $"sample_id,matrix,lat,lon,value,unit\n{name},soil,5.31,-1.95,1.5,mg/kg\n";
        var (_, original) = await UploadAsync(samples, "samples.csv", ("target", "samples"), ("campaign", campaign));
        var (_, again) = await UploadAsync(samples, "samples.csv", ("target", "samples"), ("campaign", campaign));
        Assert.Equal("valid 1,invalid 0,inserted 0,updated 0,unchanged 1", Counts(again));
        Assert.EndsWith($"as upload {original["id"]}; its rows are matched on campaign and external_id: the samples stored already are updated, not duplicated.", SameFile(again));
        var (_, elsewhere) = await UploadAsync(samples, "samples.csv", ("target", "samples"), ("campaign", other));
        Assert.Equal("valid 1,invalid 0,inserted 1,updated 0,unchanged 0", Counts(elsewhere));
        Assert.EndsWith($"as upload {again["id"]}; its rows are matched on campaign and external_id, but that upload was given campaign '{campaign}' " +
                        $"and this one '{other}', so its rows are new samples of '{other}', not updates of that upload's.", SameFile(elsewhere));

        static string SameFile(JsonObject upload) =>
            upload["warnings"]!.AsArray().Single(w => w!["kind"]!.GetValue<string>() == "same_file")!["reason"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_hotspot_naming_a_site_that_does_not_exist_is_a_row_error()
    {
        var name = Unique("FK");
        var (site, _, _) = await server.Editor().CreateAsync("sites", Site());
        var missing = Guid.NewGuid();
        var csv = $"name;site_id;wkt\n{name};{site};POINT(-1.95 5.31)\n{name};{missing};POINT(-1.95 5.32)\n";
        var error = $"3|site_id|{missing}|site_id|does not refer to an existing site.";
        Task<long> CountAsync() => server.Database.ScalarAsync<long>("SELECT count(*) FROM hotspots WHERE name = $1", name);

        var (dryStatus, dry) = await UploadAsync(csv, "hotspots.csv", ("target", "hotspots"), ("mode", "dry-run"));
        Assert.True(dryStatus == HttpStatusCode.OK, dry.ToJsonString());
        // Its commit rejects the file for that row (reject-all), so the dry run says so and writes nothing.
        Assert.Equal(["||||A commit would reject this file (on_error=reject-all) for its 1 invalid row, so nothing would be stored: " +
                      "correct it, or send on_error=skip-invalid to load the 1 valid row.", error], Lines(dry, "errors"));
        Assert.Equal("valid 1,invalid 1,inserted 0,updated 0,unchanged 0", Counts(dry));

        var (rejectedStatus, rejected) = await UploadAsync(csv, "hotspots.csv", ("target", "hotspots"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, rejectedStatus);
        Assert.Equal([error], Lines(rejected, "errors"));
        Assert.Equal(0L, await CountAsync());

        var (skippedStatus, skipped) = await UploadAsync(csv, "hotspots.csv", ("target", "hotspots"), ("on_error", "skip-invalid"));
        Assert.Equal(HttpStatusCode.Created, skippedStatus);
        Assert.Equal([error], Lines(skipped, "errors"));
        Assert.Equal("valid 1,invalid 1,inserted 1,updated 0,unchanged 0", Counts(skipped));
        Assert.Equal(site.ToString(), await server.Database.ScalarAsync<string>("SELECT string_agg(site_id::text, ',') FROM hotspots WHERE name = $1", name));
    }
}
