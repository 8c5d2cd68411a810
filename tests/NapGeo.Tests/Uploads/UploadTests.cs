using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MiniExcelLibs;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

[Collection(ApiCollection.Name)]
public sealed class UploadTests(NapGeoServer server)
{
    private Task<long> CountAsync(string campaign) =>
        server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = $1", campaign);

    [Fact]
    public async Task Utm_csv_with_semicolons_decimal_commas_and_latin1_is_loaded_and_reprojected()
    {
        var campaign = Unique("UTM");
        var csv = "Sample ID;Sample type;Easting;Northing;Zone;Mercury concentration (ppm);Date\r\n" +
                  "U1;Sédiment;612345,5;587654,2;30N;1,25;02/05/2024\r\n" +
                  "U2;SOIL;612400;587700;30N;<0,05;03/05/2024\r\n";
        var response = await PostAsync(server.Editor(), Encoding.Latin1.GetBytes(csv), "lab.csv", ("target", "samples"), ("campaign", campaign));
        var upload = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, upload.ToJsonString());
        Assert.Equal("committed", upload["status"]!.GetValue<string>());
        Assert.Equal(2, upload["counts"]!["inserted"]!.GetValue<int>());
        Assert.Equal("Mercury concentration (ppm)", upload["mapping"]!["value"]!.GetValue<string>());
        Assert.Equal("Zone", upload["mapping"]!["zone"]!.GetValue<string>());
        Assert.Empty(upload["errors"]!.AsArray());

        await using var db = server.Database.CreateDataSource();
        await using var cmd = db.CreateCommand(
            "SELECT external_id, matrix, value, unit, below_detection, detection_limit, round(ST_X(geom)::numeric, 5), round(ST_Y(geom)::numeric, 5), sampled_at::date::text " +
            "FROM samples WHERE campaign = $1 ORDER BY external_id");
        cmd.Parameters.Add(new() { Value = campaign });
        await using var row = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await row.ReadAsync())
            rows.Add(string.Join("|", Enumerable.Range(0, row.FieldCount).Select(i => row.IsDBNull(i) ? "null" : Convert.ToString(row.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        // Reference coordinates from PostGIS: ST_Transform(ST_SetSRID(ST_Point(612345.5, 587654.2), 32630), 4326).
        var expected = await server.Database.ScalarAsync<string>(
            "SELECT round(ST_X(p)::numeric, 5) || '|' || round(ST_Y(p)::numeric, 5) FROM ST_Transform(ST_SetSRID(ST_Point(612345.5, 587654.2), 32630), 4326) p");
        Assert.Equal([$"U1|sediment|1.25|ppm|False|null|{expected}|2024-05-02", $"U2|soil|null|ppm|True|0.05|" + rows[1].Split('|')[6] + "|" + rows[1].Split('|')[7] + "|2024-05-03"], rows);
    }

    [Fact]
    public async Task Bad_rows_reject_the_whole_file_or_are_skipped_on_request()
    {
        var campaign = Unique("BAD");
        var csv = "sample_id,matrix,latitude,longitude,value,unit\n" +
                  "B1,soil,5.31,-1.95,1.5,mg/kg\n" +
                  "B2,lava,5.31,-1.95,1.5,mg/kg\n" +
                  "B3,water,5.31,-1.95,2,mg/kg\n" +
                  "B4,soil,north,-1.95,1,mg/kg\n" +
                  "B5,soil,5.31,-1.95,-3,mg/kg\n";
        var bytes = Encoding.UTF8.GetBytes(csv);
        var rejected = await PostAsync(server.Editor(), bytes, "bad.csv", ("target", "samples"), ("campaign", campaign));
        var report = await rejected.JsonAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, rejected.StatusCode);
        Assert.Equal("rejected", report["status"]!.GetValue<string>());
        Assert.Equal(
        [
            "3|matrix|lava|matrix|'lava' is not one of: soil, sediment, tailings, water, air, fish, hair, urine, blood, other.",
            "4|unit|mg/kg|unit|unit 'mg/kg' does not fit matrix water: water is reported as mass per volume, e.g. µg/L.",
            "5|latitude|north|geometry|the latitude is not a number, nor degrees written as 5°36'13.3\"N.",
            "6|value|-3|value|a concentration cannot be negative.",
        ], Lines(report, "errors"));
        Assert.Equal(0L, await CountAsync(campaign));
        var stored = await server.Editor().GetAsync($"/api/uploads/{report["id"]}");
        Assert.Equal("rejected", (await stored.JsonAsync())["status"]!.GetValue<string>());

        var skipped = await PostAsync(server.Editor(), bytes, "bad.csv", ("target", "samples"), ("campaign", campaign), ("on_error", "skip-invalid"));
        var partial = await skipped.JsonAsync();
        Assert.Equal(HttpStatusCode.Created, skipped.StatusCode);
        Assert.Equal(1, partial["counts"]!["valid"]!.GetValue<int>());
        Assert.Equal(4, partial["counts"]!["invalid"]!.GetValue<int>());
        Assert.Equal(1L, await CountAsync(campaign));
    }

    [Fact]
    public async Task Reupload_updates_by_external_id_and_rollback_restores_exactly()
    {
        var campaign = Unique("RE");
        var v1 = Encoding.UTF8.GetBytes("sample_id,matrix,lat,lon,value,unit\nR1,soil,5.31,-1.95,1.5,mg/kg\nR2,soil,5.32,-1.95,2.5,mg/kg\n");
        var v2 = Encoding.UTF8.GetBytes("sample_id,matrix,lat,lon,value,unit\nR1,soil,5.31,-1.95,9.5,mg/kg\nR2,soil,5.32,-1.95,2.5,mg/kg\nR3,soil,5.33,-1.95,0.5,mg/kg\n");
        var first = await (await PostAsync(server.Editor(), v1, "v1.csv", ("target", "samples"), ("campaign", campaign))).JsonAsync();
        var again = await (await PostAsync(server.Editor(), v1, "v1.csv", ("target", "samples"), ("campaign", campaign))).JsonAsync();
        Assert.Equal(2, again["counts"]!["unchanged"]!.GetValue<int>());
        Assert.Contains(again["warnings"]!.AsArray(), w => w!["kind"]!.GetValue<string>() == "same_file" && w["reason"]!.GetValue<string>().Contains(first["id"]!.GetValue<string>()));

        var second = await (await PostAsync(server.Editor(), v2, "v2.csv", ("target", "samples"), ("campaign", campaign))).JsonAsync();
        Assert.Equal((1, 1, 1), (second["counts"]!["inserted"]!.GetValue<int>(), second["counts"]!["updated"]!.GetValue<int>(), second["counts"]!["unchanged"]!.GetValue<int>()));
        Assert.Equal(3L, await CountAsync(campaign));
        Assert.Equal(9.5, await server.Database.ScalarAsync<double>("SELECT value FROM samples WHERE campaign = $1 AND external_id = 'R1'", campaign));
        var audit = await server.Database.ScalarAsync<string>(
            "SELECT (before->>'value') || '>' || (after->>'value') || ' by ' || actor FROM audit_log WHERE action = 'update' AND after->>'campaign' = $1", campaign);
        Assert.Equal("1.5>9.5 by key:Test editor", audit);

        var rollback = await server.Editor().DeleteAsync($"/api/uploads/{second["id"]}");
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Equal("rolled_back", (await rollback.JsonAsync())["status"]!.GetValue<string>());
        Assert.Equal(2L, await CountAsync(campaign));
        Assert.Equal(1.5, await server.Database.ScalarAsync<double>("SELECT value FROM samples WHERE campaign = $1 AND external_id = 'R1'", campaign));

        // Someone edits R2 after the first upload: rolling that upload back would overwrite it, so it is refused, naming the row.
        await using (var db = server.Database.CreateDataSource())
        await using (var edit = db.CreateCommand("UPDATE samples SET notes = 'checked' WHERE campaign = $1 AND external_id = 'R2'"))
        {
            edit.Parameters.Add(new() { Value = campaign });
            await edit.ExecuteNonQueryAsync();
        }
        var refused = await server.Editor().DeleteAsync($"/api/uploads/{first["id"]}");
        var problem = await refused.JsonAsync();
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Single(problem["rows"]!.AsArray());
        Assert.StartsWith("row 3: samples ", problem["rows"]![0]!.GetValue<string>());
        Assert.EndsWith("is at version 2, the upload left version 1 (last change by db:napgeo at " + problem["rows"]![0]!.GetValue<string>()[^21..], problem["rows"]![0]!.GetValue<string>());
        Assert.Equal(2L, await CountAsync(campaign));
    }

    public static TheoryData<string> GdalFormats => new() { "shapefile", "gpkg", "kml", "kml-utf16", "gpx", "kmz" };

    [Theory]
    [MemberData(nameof(GdalFormats))]
    public async Task Files_written_by_ogr2ogr_are_loaded(string format)
    {
        var folder = Folder();
        var campaign = Unique(format.ToUpperInvariant());
        var source = SamplesGeoJson(folder, campaign);
        string file;
        switch (format)
        {
            case "shapefile":
                Ogr2Ogr("-f", "ESRI Shapefile", "-t_srs", "EPSG:32630", Path.Combine(folder, "shp"), source);
                file = Path.Combine(folder, "samples.zip");
                ZipFile.CreateFromDirectory(Path.Combine(folder, "shp"), file);
                break;
            case "gpx":
                file = Path.Combine(folder, "samples.gpx");
                Ogr2Ogr("-f", "GPX", "-dsco", "GPX_USE_EXTENSIONS=YES", file, source);
                break;
            case "kml-utf16": // as Windows tools may save it; GDAL reads it, so the XML guard must too
                var utf8 = Path.Combine(folder, "utf8.kml");
                Ogr2Ogr("-f", "KML", utf8, source);
                var kml = File.ReadAllText(utf8).Replace("encoding=\"utf-8\"", "encoding=\"UTF-16\"");
                Assert.Contains("encoding=\"UTF-16\"", kml);
                file = Path.Combine(folder, "samples.kml");
                File.WriteAllText(file, kml, Encoding.Unicode);
                break;
            case "kmz":
                file = Path.Combine(folder, "samples.kmz");
                Ogr2Ogr("-f", "LIBKML", "-mapFieldType", "Date=String", file, source); // LIBKML drops Date fields from its schema otherwise
                break;
            default:
                file = Path.Combine(folder, "samples." + format);
                Ogr2Ogr("-f", format == "kml" ? "KML" : "GPKG", file, source);
                break;
        }
        var response = await PostAsync(server.Editor(), file, ("target", "samples"), ("campaign", campaign));
        var upload = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, upload.ToJsonString());
        Assert.Equal(format.Split('-')[0], upload["format"]!.GetValue<string>());
        Assert.Empty(upload["errors"]!.AsArray());
        var stored = await server.Database.ScalarAsync<string>(
            "SELECT string_agg(external_id || ' ' || matrix || ' ' || value_normalized || ' ' || round(ST_X(geom)::numeric, 6) || ' ' || round(ST_Y(geom)::numeric, 6) || ' ' || sampled_at::date, '; ' ORDER BY external_id) FROM samples WHERE campaign = $1",
            campaign);
        Assert.Equal($"{campaign}-1 soil 1.5 -1.950000 5.310000 2024-05-02; {campaign}-2 sediment 0.4 -1.960000 5.320000 2024-05-03", stored);
    }

    [Fact]
    public async Task Kobo_style_xlsx_dry_run_previews_and_writes_nothing()
    {
        var folder = Folder();
        var campaign = Unique("KOBO");
        var path = Path.Combine(folder, "kobo_export.xlsx");
        var rows = new List<Dictionary<string, object>>
        {
            new() { ["start"] = "2024-05-02T08:00:00.000+00:00", ["Sample ID"] = "K1", ["Sample type"] = "Soil", ["Mercury concentration (ppm)"] = 12.5,
                    ["_GPS location_latitude"] = 5.31, ["_GPS location_longitude"] = -1.95, ["_GPS location_altitude"] = 120, ["_GPS location_precision"] = 4.5,
                    ["Date"] = new DateTime(2024, 5, 2), ["_id"] = 101, ["_uuid"] = "0c1c5e0a-5f39-4d3c-9b0e-000000000001" },
            new() { ["start"] = "2024-05-02T09:00:00.000+00:00", ["Sample ID"] = "K2", ["Sample type"] = "Hair", ["Mercury concentration (ppm)"] = 3.2,
                    ["_GPS location_latitude"] = 5.32, ["_GPS location_longitude"] = -1.96, ["_GPS location_altitude"] = 118, ["_GPS location_precision"] = 3.9,
                    ["Date"] = new DateTime(2024, 5, 2), ["_id"] = 102, ["_uuid"] = "0c1c5e0a-5f39-4d3c-9b0e-000000000002" },
        };
        MiniExcel.SaveAs(path, rows);
        var response = await PostAsync(server.Editor(), path, ("target", "samples"), ("campaign", campaign), ("mode", "dry-run"));
        var upload = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, upload.ToJsonString());
        Assert.Equal("dry-run", upload["status"]!.GetValue<string>());
        Assert.Equal("_GPS location_latitude", upload["mapping"]!["latitude"]!.GetValue<string>());
        var preview = upload["preview"]!["features"]!.AsArray();
        Assert.Equal(["K1 soil 12.5 mg/kg", "K2 hair 3.2 µg/g"],
            preview.Select(f => $"{f!["properties"]!["external_id"]} {f["properties"]!["matrix"]} {f["properties"]!["value_normalized"]} {f["properties"]!["unit_normalized"]}").Order());
        Assert.Equal(0L, await CountAsync(campaign));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Editor().GetAsync($"/api/uploads/{upload["id"]}")).StatusCode);
    }

    [Fact]
    public async Task Warnings_name_duplicates_future_dates_implausible_values_and_far_samples()
    {
        var campaign = Unique("WARN");
        await server.Editor().CreateAsync("sites", Site(lon: 10.0, lat: 10.0));
        // Dates more than a day ahead are refused (FeatureInput); late tomorrow (UTC) is taken, and still warned about.
        var tomorrow = DateTime.UtcNow.Date.AddDays(1).ToString("yyyy-MM-dd");
        var future = tomorrow + "T23:59:59Z";
        var csv = "sample_id,matrix,lat,lon,value,unit,date\n" +
                  $"W1,soil,10.005,10.005,1,mg/kg,2024-01-01\n" +
                  $"W1,soil,10.005,10.005,2,mg/kg,2024-01-01\n" +
                  $"W2,soil,10.005,10.005,1,mg/kg,{future}\n" +
                  $"W3,fish,10.005,10.005,900,mg/kg,2024-01-01\n" +
                  $"W4,soil,11.5,11.5,1,mg/kg,2024-01-01\n";
        var response = await PostAsync(server.Editor(), Encoding.UTF8.GetBytes(csv), "w.csv", ("target", "samples"), ("campaign", campaign), ("mode", "dry-run"));
        var upload = await response.JsonAsync();
        Assert.Equal(
        [
            "3|sample_id|W1|external_id|the same external_id is also on row 2; the later row wins (a file should name each sample once).",
            $"4|date|{future}|sampled_at|{tomorrow} is in the future.",
            "5|value|900|value|900 mg/kg is above the plausible maximum for fish (50 mg/kg); check the unit.",
            "6|sample_id|W4|geometry|the sample is more than 5 km from every site (wrong coordinates or CRS?).",
        ], Lines(upload, "warnings"));
        Assert.Equal(4, upload["counts"]!["warnings"]!.GetValue<int>());
    }

    [Fact]
    public async Task Broken_files_get_clear_answers()
    {
        var editor = server.Editor();
        var noCoordinates = await PostAsync(editor, Encoding.UTF8.GetBytes("sample_id,matrix,value,unit\nX1,soil,1,mg/kg\n"), "x.csv", ("target", "samples"), ("campaign", "X"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noCoordinates.StatusCode);
        Assert.Equal("application/problem+json", noCoordinates.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("Found no longitude/easting column.", (await noCoordinates.JsonAsync())["detail"]!.GetValue<string>());

        // UTM numbers read as lon/lat: the row is refused with FeatureInput's range message.
        var wrongCrs = await (await PostAsync(editor, Encoding.UTF8.GetBytes("sample_id,matrix,lat,lon,value,unit\nC1,soil,587654,612345,1,mg/kg\n"), "c.csv",
            ("target", "samples"), ("campaign", Unique("CRS")))).JsonAsync();
        Assert.Equal(["2|lon, lat|612345, 587654|geometry|coordinate 0 (612345, 587654) is outside longitude -180…180 / latitude -90…90."], Lines(wrongCrs, "errors"));

        var folder = Folder();
        var zip = Path.Combine(folder, "s.zip");
        Ogr2Ogr("-f", "ESRI Shapefile", Path.Combine(folder, "shp"), SamplesGeoJson(folder, "T"));
        ZipFile.CreateFromDirectory(Path.Combine(folder, "shp"), zip);
        var truncated = File.ReadAllBytes(zip)[..(int)(new FileInfo(zip).Length / 2)];
        var broken = await PostAsync(editor, truncated, "s.zip", ("target", "samples"), ("campaign", "X"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, broken.StatusCode);
        Assert.Equal("Broken zip", (await broken.JsonAsync())["title"]!.GetValue<string>());

        var xxe = "<?xml version=\"1.0\"?><!DOCTYPE kml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><kml xmlns=\"http://www.opengis.net/kml/2.2\"><Placemark><name>&x;</name><Point><coordinates>-1.95,5.31</coordinates></Point></Placemark></kml>";
        var refused = await PostAsync(editor, Encoding.UTF8.GetBytes(xxe), "x.kml", ("target", "samples"), ("campaign", "X"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("XML declarations refused", (await refused.JsonAsync())["title"]!.GetValue<string>());
        // The same in UTF-16, with a byte order mark and (big-endian) without: read byte by byte it shows no "<!DOCTYPE".
        var xxe16 = xxe.Replace("version=\"1.0\"", "version=\"1.0\" encoding=\"UTF-16\"");
        foreach (var bytes in new[] { [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(xxe16)], Encoding.BigEndianUnicode.GetBytes(xxe16) })
        {
            var refused16 = await PostAsync(editor, bytes, "x.kml", ("target", "samples"), ("campaign", "X"));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused16.StatusCode);
            Assert.Equal("XML declarations refused", (await refused16.JsonAsync())["title"]!.GetValue<string>());
        }

        var bomb = Path.Combine(folder, "bomb.zip");
        using (var archive = ZipFile.Open(bomb, ZipArchiveMode.Create))
        await using (var entry = archive.CreateEntry("bomb.shp", CompressionLevel.SmallestSize).Open())
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 64; i++) entry.Write(zeros);
        }
        var bombed = await PostAsync(editor, bomb, ("target", "samples"), ("campaign", "X"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bombed.StatusCode);
        Assert.Equal("Zip expands too much", (await bombed.JsonAsync())["title"]!.GetValue<string>());

        var slip = Path.Combine(folder, "slip.zip");
        using (var archive = ZipFile.Open(slip, ZipArchiveMode.Create))
        await using (var entry = archive.CreateEntry("../../evil.shp").Open()) entry.Write("x"u8);
        var slipped = await PostAsync(editor, slip, ("target", "samples"), ("campaign", "X"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, slipped.StatusCode);
        Assert.Equal("Unsafe zip entry", (await slipped.JsonAsync())["title"]!.GetValue<string>());
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "evil.shp")));

        // A Shapefile without its .prj: the CRS must be given, and then it is used (GDAL reprojects from it).
        var noPrj = Path.Combine(folder, "noprj");
        Ogr2Ogr("-f", "ESRI Shapefile", "-t_srs", "EPSG:32630", noPrj, SamplesGeoJson(folder, "P"));
        File.Delete(Path.Combine(noPrj, "samples.prj"));
        var noPrjZip = Path.Combine(folder, "noprj.zip");
        ZipFile.CreateFromDirectory(noPrj, noPrjZip);
        var withoutCrs = await PostAsync(editor, noPrjZip, ("target", "samples"), ("campaign", "X"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, withoutCrs.StatusCode);
        Assert.Equal("No CRS in the file", (await withoutCrs.JsonAsync())["title"]!.GetValue<string>());
        var campaign = Unique("PRJ");
        var withCrs = await PostAsync(editor, noPrjZip, ("target", "samples"), ("campaign", campaign), ("crs", "EPSG:32630"));
        Assert.Equal(HttpStatusCode.Created, withCrs.StatusCode);
        Assert.Equal("-1.950000 5.310000", await server.Database.ScalarAsync<string>(
            "SELECT round(ST_X(geom)::numeric, 6) || ' ' || round(ST_Y(geom)::numeric, 6) FROM samples WHERE campaign = $1 AND external_id = 'P-1'", campaign));

        // An XLSX whose sheet XML declares an entity is refused before the spreadsheet reader sees it.
        var xlsx = Path.Combine(folder, "xxe.xlsx");
        MiniExcel.SaveAs(xlsx, new[] { new Dictionary<string, object> { ["sample_id"] = "X1", ["lat"] = 5.31, ["lon"] = -1.95 } });
        using (var archive = ZipFile.Open(xlsx, ZipArchiveMode.Update))
        {
            var sheet = archive.GetEntry("xl/worksheets/sheet1.xml")!;
            string xml;
            using (var reader = new StreamReader(sheet.Open())) xml = await reader.ReadToEndAsync();
            sheet.Delete();
            await using var writer = new StreamWriter(archive.CreateEntry("xl/worksheets/sheet1.xml").Open());
            await writer.WriteAsync(xml.Replace("?>", "?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"));
        }
        var xlsxXxe = await PostAsync(editor, xlsx, ("target", "samples"), ("campaign", "X"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, xlsxXxe.StatusCode);
        Assert.StartsWith("The spreadsheet (part xl/worksheets/sheet1.xml) contains a DOCTYPE or ENTITY declaration",
            (await xlsxXxe.JsonAsync())["detail"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(server.Client(server.ViewerKey), Encoding.UTF8.GetBytes("a"), "a.csv", ("target", "samples"))).StatusCode);
    }

    /// <summary>A dry run is not stored, so polling its id met 404s however long a large file took to check.</summary>
    [Fact]
    public async Task A_running_dry_run_shows_its_progress_and_leaves_nothing_behind()
    {
        var csv = new StringBuilder("sample_id,matrix,value,unit,latitude,longitude\n");
        for (var i = 0; i < 20_000; i++) csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"DRY-{i},soil,1.5,mg/kg,{5 + i % 1000 / 1000.0},{-2 + i % 997 / 1000.0}\n");
        var id = Guid.NewGuid();
        var running = PostAsync(server.Editor(), Encoding.UTF8.GetBytes(csv.ToString()), "large.csv",
            ("target", "samples"), ("campaign", Unique("DRY")), ("mode", "dry-run"), ("id", id.ToString()));
        JsonObject? seen = null; // once the file is open, its row count is known
        while (!running.IsCompleted && seen?["progress"]?["total"] is null)
        {
            var poll = await server.Editor().GetAsync($"/api/uploads/{id}");
            if (poll.StatusCode == HttpStatusCode.OK) seen = await poll.JsonAsync();
            await Task.Delay(20);
        }
        var answer = await running;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.NotNull(seen);
        Assert.Equal("running|dry-run|20000", $"{seen["status"]}|{seen["mode"]}|{seen["progress"]!["total"]}");
        Assert.Equal(HttpStatusCode.NotFound, (await server.Editor().GetAsync($"/api/uploads/{id}")).StatusCode); // still nothing stored
    }
}

/// <summary>A server with a 4 KB and 3-row upload limit.</summary>
public sealed class SmallUploadServer : NapGeoServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("NapGeo:Uploads:MaxBytes", "4096"), new("NapGeo:Uploads:MaxRows", "3")];
}

public sealed class UploadLimitTests(SmallUploadServer server) : IClassFixture<SmallUploadServer>
{
    [Fact]
    public async Task An_oversize_file_gets_413_problem_json()
    {
        var csv = "sample_id,matrix,lat,lon,value,unit\n" + string.Concat(Enumerable.Range(0, 400).Select(i => $"O{i},soil,5.31,-1.95,1,mg/kg\n"));
        var response = await PostAsync(server.Editor(), Encoding.UTF8.GetBytes(csv), "big.csv", ("target", "samples"), ("campaign", "BIG"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("The upload is larger than 4096 bytes (NapGeo:Uploads:MaxBytes).", (await response.JsonAsync())["detail"]!.GetValue<string>());
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM uploads WHERE file_name = 'big.csv'"));
    }

    [Fact]
    public async Task Too_many_rows_get_413_problem_json()
    {
        var csv = "sample_id,matrix,lat,lon,value,unit\n" + string.Concat(Enumerable.Range(0, 4).Select(i => $"M{i},soil,5.31,-1.95,1,mg/kg\n"));
        var response = await PostAsync(server.Editor(), Encoding.UTF8.GetBytes(csv), "rows.csv", ("target", "samples"), ("campaign", "ROWS"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("The file has more than 3 rows; split it (limit NapGeo:Uploads:MaxRows).", (await response.JsonAsync())["detail"]!.GetValue<string>());
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = 'ROWS'"));
        // The record, made before the file was read, says why nothing was stored.
        Assert.Equal("failed The file has more than 3 rows; split it (limit NapGeo:Uploads:MaxRows).", await server.Database.ScalarAsync<string>(
            "SELECT status || ' ' || (report -> 'errors' -> 0 ->> 'reason') FROM uploads WHERE file_name = 'rows.csv'"));
    }
}
