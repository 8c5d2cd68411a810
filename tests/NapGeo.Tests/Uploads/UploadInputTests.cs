using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

/// <summary>Files as field teams and their tools really make them, and files made to abuse the reader.</summary>
[Collection(ApiCollection.Name)]
public sealed class UploadInputTests(NapGeoServer server)
{
    private Task<(HttpStatusCode Status, JsonObject Body)> UploadAsync(byte[] file, string name, params (string, string)[] fields) =>
        UploadSamplesAsync(server.Editor(), file, name, fields);

    private Task<string> StoredAsync(string campaign) => server.Database.ScalarAsync<string>(
        "SELECT string_agg(external_id || ' ' || round(ST_X(geom)::numeric, 4) || ' ' || round(ST_Y(geom)::numeric, 4), '; ' ORDER BY external_id) FROM samples WHERE campaign = $1",
        campaign);

    [Fact]
    public async Task A_gdal_virtual_dataset_dressed_as_kml_is_refused_and_reads_nothing()
    {
        var folder = Folder();
        var secret = Path.Combine(folder, "secret.csv");
        File.WriteAllText(secret, "name,secret\nadmin,hunter2\n");
        var vrt = $"<OGRVRTDataSource><OGRVRTLayer name=\"x\"><SrcDataSource>{secret}</SrcDataSource>" +
                  "<SrcSQL dialect=\"SQLITE\">SELECT name||':'||secret AS sample_id, 'soil' AS matrix, 1.0 AS value, 'mg/kg' AS unit, " +
                  "MakePoint(-1.6, 6.7, 4326) AS geom FROM secret</SrcSQL></OGRVRTLayer></OGRVRTDataSource>";
        foreach (var name in new[] { "x.kml", "x.gpkg" })
        {
            var (status, body) = await UploadAsync(Encoding.UTF8.GetBytes(vrt), name, ("campaign", "VRT"), ("mode", "dry-run"));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
            Assert.DoesNotContain("hunter2", body.ToJsonString());
        }
    }

    [Fact]
    public async Task Features_without_geometry_and_non_utf8_geojson_get_row_and_file_errors_not_500s()
    {
        var geojson = """
            {"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[-1.95,5.31]},"properties":{"sample_id":"G1","matrix":"soil","value":1,"unit":"mg/kg"}},
            {"type":"Feature","geometry":null,"properties":{"sample_id":"G2","matrix":"soil","value":1,"unit":"mg/kg"}}]}
            """;
        var (status, body) = await UploadAsync(Encoding.UTF8.GetBytes(geojson), "g.geojson", ("campaign", Unique("NOGEOM")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(["2|geometry||geometry|the feature has no geometry."], Lines(body, "errors"));

        var kml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><Folder><name>Samples (dry season)</name>" +
                  "<Placemark><name>K1</name><Point><coordinates>-1.6,6.7</coordinates></Point></Placemark><Placemark><name>K2</name></Placemark></Folder></Document></kml>";
        var (kmlStatus, kmlBody) = await UploadAsync(Encoding.UTF8.GetBytes(kml), "k.kml", ("campaign", Unique("KML")), ("mapping", """{"external_id":"Name"}"""));
        Assert.True(kmlStatus == HttpStatusCode.UnprocessableEntity, kmlBody.ToJsonString()); // the folder name in parentheses was once "no such layer"
        Assert.Contains(Lines(kmlBody, "errors"), l => l.EndsWith("|the feature has no geometry.", StringComparison.Ordinal));

        var latin1 = Encoding.Latin1.GetBytes(geojson.Replace("\"G1\"", "\"Sédiment-1\""));
        var (latinStatus, latinBody) = await UploadAsync(latin1, "l.geojson", ("campaign", "X"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, latinStatus);
        Assert.Equal("Not UTF-8", latinBody["title"]!.GetValue<string>());

        var (mappingStatus, mappingBody) = await UploadAsync(Encoding.UTF8.GetBytes("sample_id,lat,lon\nM1,5.31,-1.95\n"), "m.csv", ("mapping", """{"latitude":null}"""));
        Assert.Equal(HttpStatusCode.BadRequest, mappingStatus);
        Assert.Contains("mapping.latitude is null, but only a field of a sample, zone or wkt can be left unread", mappingBody["detail"]!.GetValue<string>());

        // An option field is a short text: one of 100 KB was read whole (up to the 200 MB body limit) into memory.
        var (longStatus, longBody) = await UploadAsync(Encoding.UTF8.GetBytes("sample_id,lat,lon\nM1,5.31,-1.95\n"), "m.csv", ("campaign", new string('x', 100_000)));
        Assert.Equal(HttpStatusCode.BadRequest, longStatus);
        Assert.Equal("Option too long", longBody["title"]!.GetValue<string>());
        Assert.Contains("'campaign'", longBody["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_row_past_the_readers_limit_without_an_open_quote_is_too_long_not_an_unclosed_quote()
    {
        // Both were "Row 2 starts a quoted value that is never closed": the first file has no quote at all.
        const string header = "sample_id,matrix,value,unit,latitude,longitude,notes\n";
        var unquoted = header + "L1,soil,1.5,mg/kg,6.7,-1.6," + new string('x', 17_000_000) + "\nL2,soil,1.5,mg/kg,6.7,-1.6,plain\n";
        var (status, body) = await UploadAsync(Encoding.UTF8.GetBytes(unquoted), "l.csv", ("campaign", Unique("LONG")));
        Assert.True(status == HttpStatusCode.UnprocessableEntity, body.ToJsonString());
        Assert.Equal("Row too long", body["title"]!.GetValue<string>());
        Assert.Equal("Row 2 has 17,000,027 characters (column 'notes' alone 17,000,000), more than the CSV reader's limit of 16,777,216 characters a row. " +
                     "Shorten the value: long texts or images do not belong in a cell.", body["detail"]!.GetValue<string>());

        var quoted = header + "L1,soil,1.5,mg/kg,6.7,-1.6,\"" + new string('y', 20_000_000) + "\"\r\nL2,soil,1.5,mg/kg,6.7,-1.6,plain\r\n";
        var (quotedStatus, quotedBody) = await UploadAsync(Encoding.UTF8.GetBytes(quoted), "q.csv", ("campaign", Unique("LONG")));
        Assert.True(quotedStatus == HttpStatusCode.UnprocessableEntity, quotedBody.ToJsonString());
        Assert.StartsWith("Row 2 has 20,000,029 characters (column 'notes' alone 20,000,000), more than the CSV reader's limit of 16,777,216",
            quotedBody["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stray_quote_is_refused_naming_its_row_and_blank_lines_are_skipped()
    {
        var csv = "sample_id,matrix,value,unit,latitude,longitude,notes\n" +
                  "Q1,soil,1.5,mg/kg,6.7,-1.6,core 6\" deep\n" +
                  "Q2,soil,1.5,mg/kg,6.7,-1.6,plain\n" +
                  "Q3,soil,1.5,mg/kg,6.7,-1.6,plain\n" +
                  "Q4,soil,1.5,mg/kg,6.7,-1.6,\"closed\"\n";
        var campaign = Unique("QUOTE");
        var (status, body) = await UploadAsync(Encoding.UTF8.GetBytes(csv), "q.csv", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("Unclosed quote", body["title"]!.GetValue<string>());
        Assert.StartsWith("Row 2, column 'notes'", body["detail"]!.GetValue<string>());
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = $1", campaign));

        // The same past the CSV reader's 16 MB row limit: still the row, not a server error.
        var huge = "sample_id,matrix,value,unit,latitude,longitude,notes\nH1,soil,1.5,mg/kg,6.7,-1.6,\"" +
                   string.Concat(Enumerable.Repeat("H2,soil,1.5,mg/kg,6.7,-1.6,plain\n", 600_000));
        var (hugeStatus, hugeBody) = await UploadAsync(Encoding.UTF8.GetBytes(huge), "h.csv", ("campaign", campaign));
        Assert.True(hugeStatus == HttpStatusCode.UnprocessableEntity, hugeBody.ToJsonString());
        Assert.StartsWith("Row 2 starts a quoted value that is never closed", hugeBody["detail"]!.GetValue<string>());

        // A stray quote closed far beyond the reader's row limit: still the stray quote, not a row too long.
        var farClosed = "sample_id,matrix,value,unit,latitude,longitude,notes\nF1,soil,1.5,mg/kg,6.7,-1.6,\"" +
                        string.Concat(Enumerable.Repeat("F2,soil,1.5,mg/kg,6.7,-1.6,plain\n", 600_000)) + "F3\"\n";
        var (farStatus, farBody) = await UploadAsync(Encoding.UTF8.GetBytes(farClosed), "f.csv", ("campaign", campaign));
        Assert.True(farStatus == HttpStatusCode.UnprocessableEntity, farBody.ToJsonString());
        Assert.Equal("Unclosed quote", farBody["title"]!.GetValue<string>());
        Assert.StartsWith("Row 2: a quoted value runs over lines that look like further rows, 19,800,031 characters in all", farBody["detail"]!.GetValue<string>());

        // A quoted note over two lines is data; empty lines and lines of separators only are nothing.
        var fine = "sample_id,matrix,value,unit,latitude,longitude,notes\n" +
                   "B1,soil,1.5,mg/kg,6.7,-1.6,\"two\nlines\"\n\n" +
                   ",,,,,,\n" +
                   "B2,soil,1.5,mg/kg,6.71,-1.61,\n\n";
        var (fineStatus, fineBody) = await UploadAsync(Encoding.UTF8.GetBytes(fine), "b.csv", ("campaign", campaign));
        Assert.True(fineStatus == HttpStatusCode.Created, fineBody.ToJsonString());
        Assert.Equal("B1 -1.6000 6.7000; B2 -1.6100 6.7100", await StoredAsync(campaign));
        Assert.Equal("two\nlines", await server.Database.ScalarAsync<string>("SELECT notes FROM samples WHERE campaign = $1 AND external_id = 'B1'", campaign));

        var (emptyStatus, emptyBody) = await UploadAsync(Encoding.UTF8.GetBytes("sample_id,matrix,value,unit,latitude,longitude\n"), "e.csv", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, emptyStatus);
        Assert.Equal(["||||The file has a header but no data rows."], Lines(emptyBody, "errors"));
    }

    [Fact]
    public async Task A_zone_beside_degrees_is_not_a_crs_and_one_mapped_coordinate_finds_the_other()
    {
        // A Kobo form with the GPS point in degrees and the team's UTM reading beside it: the degrees are the location.
        var campaign = Unique("ZONE");
        var kobo = "sample_id,matrix,value,unit,latitude,longitude,utm_zone,easting,northing\nZ1,soil,1,mg/kg,6.7,-1.6,30N,623000,740000\n";
        var (status, body) = await UploadAsync(Encoding.UTF8.GetBytes(kobo), "z.csv", ("campaign", campaign));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("Z1 -1.6000 6.7000", await StoredAsync(campaign));

        // x/y with a zone: metres, so the zone applies; a bare zone number takes its hemisphere from crs.
        var utm = await server.Database.ScalarAsync<string>(
            "SELECT round(ST_X(p)::numeric, 4) || ' ' || round(ST_Y(p)::numeric, 4) FROM ST_Transform(ST_SetSRID(ST_Point(612345, 587654), 32630), 4326) p");
        var xy = "sample_id,matrix,value,unit,x,y,zone\nX1,soil,1,mg/kg,612345,587654,30N\nX2,soil,1,mg/kg,612345,587654,30\n";
        var xyCampaign = Unique("XY");
        var (xyStatus, xyBody) = await UploadAsync(Encoding.UTF8.GetBytes(xy), "xy.csv", ("campaign", xyCampaign), ("crs", "EPSG:32630"));
        Assert.True(xyStatus == HttpStatusCode.Created, xyBody.ToJsonString());
        Assert.Equal($"X1 {utm}; X2 {utm}", await StoredAsync(xyCampaign));

        var german = "Code,matrix,value,unit,Breite,lon\nG1,soil,1,mg/kg,6.7,-1.6\n";
        var germanCampaign = Unique("BREITE");
        var (mapStatus, mapBody) = await UploadAsync(Encoding.UTF8.GetBytes(german), "g.csv", ("campaign", germanCampaign),
            ("mapping", """{"latitude":"Breite","external_id":"Code"}"""));
        Assert.True(mapStatus == HttpStatusCode.Created, mapBody.ToJsonString());
        Assert.Equal("G1 -1.6000 6.7000", await StoredAsync(germanCampaign));
    }

    [Fact]
    public async Task Shapefile_zips_from_macos_in_upper_case_with_their_own_prj_and_with_parts_missing()
    {
        var folder = Folder();
        var shp = Path.Combine(folder, "shp");
        Ogr2Ogr("-f", "ESRI Shapefile", shp, SamplesGeoJson(folder, "M")); // EPSG:4326 .prj
        var zip = Path.Combine(folder, "mac.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var file in Directory.GetFiles(shp))
            {
                var upper = Path.GetFileNameWithoutExtension(file).ToUpperInvariant() + Path.GetExtension(file).ToUpperInvariant();
                archive.CreateEntryFromFile(file, "samples/" + upper);
                await using var fork = archive.CreateEntry("__MACOSX/samples/._" + upper).Open();
                fork.Write("\0\u0005\u0016\u0007"u8);
            }
        }
        // crs= is for files that say none: this one's .prj (lon/lat) wins over a UTM code sent along.
        var campaign = Unique("MAC");
        var response = await PostAsync(server.Editor(), zip, ("target", "samples"), ("campaign", campaign), ("crs", "EPSG:32630"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal("M-1 -1.9500 5.3100; M-2 -1.9600 5.3200", await StoredAsync(campaign));

        File.Delete(Directory.GetFiles(shp, "*.dbf").Single());
        var noDbf = Path.Combine(folder, "nodbf.zip");
        ZipFile.CreateFromDirectory(shp, noDbf);
        var incomplete = await (await PostAsync(server.Editor(), noDbf, ("target", "samples"), ("campaign", "X"))).JsonAsync();
        Assert.Equal("Incomplete Shapefile", incomplete["title"]!.GetValue<string>());
        Assert.Contains("without its .dbf", incomplete["detail"]!.GetValue<string>());
    }

    /// <summary>
    /// Windows tools treat Samples.shp, samples.dbf and SAMPLES.prj as one Shapefile. GDAL looks for the .shp's own name
    /// on a case-sensitive file system: the .prj was not read ("No CRS in the file") and, with crs= sent, every attribute
    /// was empty and every row failed.
    /// </summary>
    [Fact]
    public async Task A_zipped_shapefile_whose_parts_differ_in_the_case_of_their_names_is_read_whole()
    {
        var folder = Folder();
        var shp = Path.Combine(folder, "shp");
        Ogr2Ogr("-f", "ESRI Shapefile", shp, SamplesGeoJson(folder, "W"));
        var zip = Path.Combine(folder, "windows.zip");
        string[] stems = ["Samples", "samples", "SAMPLES", "sAmples"];
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
            foreach (var (file, i) in Directory.GetFiles(shp).Order().Select((f, i) => (f, i)))
                archive.CreateEntryFromFile(file, stems[i % stems.Length] + Path.GetExtension(file));
        var campaign = Unique("WIN");
        var response = await PostAsync(server.Editor(), zip, ("target", "samples"), ("campaign", campaign));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal("W-1 -1.9500 5.3100; W-2 -1.9600 5.3200", await StoredAsync(campaign));
    }

    [Fact]
    public async Task A_layer_named_like_an_option_is_refused_not_passed_to_ogr2ogr()
    {
        var kml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><Folder><name>-sql</name>" +
                  "<Placemark><name>K1</name><Point><coordinates>-1.6,6.7</coordinates></Point></Placemark></Folder></Document></kml>";
        var (status, body) = await UploadAsync(Encoding.UTF8.GetBytes(kml), "o.kml", ("campaign", "X"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("Unsupported layer name", body["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_file_of_several_layers_says_which_rows_came_from_which()
    {
        static string Placemark(string id, double lon) =>
            $"<Placemark><name>{id}</name><ExtendedData><Data name=\"matrix\"><value>soil</value></Data><Data name=\"value\"><value>1.5</value></Data>" +
            $"<Data name=\"unit\"><value>mg/kg</value></Data></ExtendedData><Point><coordinates>{lon},6.7</coordinates></Point></Placemark>";
        var kml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>" +
                  $"<Folder><name>Day 1</name>{Placemark("D1", -1.6)}</Folder><Folder><name>Day 2</name>{Placemark("D2", -1.61)}{Placemark("D3", -1.62)}</Folder>" +
                  "</Document></kml>";
        var campaign = Unique("LAYERS");
        var (status, body) = await UploadAsync(Encoding.UTF8.GetBytes(kml), "days.kml", ("campaign", campaign), ("mapping", """{"external_id":"Name"}"""));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        var layers = body["warnings"]!.AsArray().Single(w => w!["kind"]?.GetValue<string>() == "layers")!;
        Assert.Equal("the file has several layers, read one after another and numbered on: 'Day 1' rows 1–1, 'Day 2' rows 2–3.", layers["reason"]!.GetValue<string>());
        Assert.Equal("D1 -1.6000 6.7000; D2 -1.6100 6.7000; D3 -1.6200 6.7000", await StoredAsync(campaign));
    }

    [Fact]
    public async Task A_reused_upload_id_is_a_409_that_says_so()
    {
        var id = Guid.NewGuid().ToString();
        var csv = Encoding.UTF8.GetBytes("sample_id,matrix,value,unit,latitude,longitude\nR1,soil,1,mg/kg,6.7,-1.6\n");
        var (first, _) = await UploadAsync(csv, "r.csv", ("campaign", Unique("REUSE")), ("id", id));
        Assert.Equal(HttpStatusCode.Created, first);
        var (second, body) = await UploadAsync(csv, "r.csv", ("campaign", Unique("REUSE")), ("id", id));
        Assert.Equal(HttpStatusCode.Conflict, second);
        Assert.Equal("Upload id in use", body["title"]!.GetValue<string>());
        Assert.Contains($"/api/uploads/{id}", body["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_upload_record_exists_before_the_file_is_read_and_says_why_an_unreadable_one_failed()
    {
        // Reading is where a large shapefile or GeoPackage spends its first seconds; a client polling its id then must find
        // the upload running, not 404. A file that cannot be read leaves the record failed, with the answer's reason.
        var id = Guid.NewGuid().ToString();
        var (status, body) = await UploadAsync(Encoding.UTF8.GetBytes("not a geopackage"), "broken.gpkg", ("campaign", Unique("UNREAD")), ("id", id));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var record = await (await server.Editor().GetAsync($"/api/uploads/{id}")).JsonAsync();
        Assert.Equal("failed", record["status"]!.GetValue<string>());
        Assert.Equal(body["detail"]!.GetValue<string>(), record["errors"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("broken.gpkg", record["file_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_option_is_a_400_naming_it_and_stores_nothing()
    {
        // dry_run=true is not the dry-run option (mode=dry-run): ignored, it committed the file.
        var campaign = Unique("DRYRUN");
        var csv = Encoding.UTF8.GetBytes("sample_id,matrix,value,unit,latitude,longitude\nDRY-01,soil,0.3,mg/kg,5.30,-1.99\n");
        var (status, body) = await UploadAsync(csv, "d.csv", ("campaign", campaign), ("dry_run", "true"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Unknown upload option 'dry_run'; the options are: file, target, campaign, crs, mapping, mode, on_error, format, id. Nothing was read or stored.",
            body["detail"]!.GetValue<string>());
        Assert.Equal("is not an upload option; the options are: file, target, campaign, crs, mapping, mode, on_error, format, id (a dry run is mode=dry-run).",
            body["errors"]!["dry_run"]![0]!.GetValue<string>());
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = $1", campaign));
    }

    [Fact]
    public async Task Gpx_columns_come_from_every_waypoint_not_the_first()
    {
        var gpx = """
            <?xml version="1.0" encoding="UTF-8"?>
            <gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
            <wpt lat="5.31" lon="-1.95"><desc>no name</desc></wpt>
            <wpt lat="5.32" lon="-1.96"><name>W2</name></wpt>
            </gpx>
            """;
        var (status, body) = await UploadAsync(Encoding.UTF8.GetBytes(gpx), "w.gpx", ("campaign", Unique("GPX")), ("mapping", """{"external_id":"name"}"""));
        // Row 1 has no name (its own error); row 2's name is read, which it was not when columns came from row 1 only.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var errors = Lines(body, "errors");
        Assert.Contains(errors, l => l.StartsWith("1|", StringComparison.Ordinal) && l.Contains("|external_id|"));
        Assert.DoesNotContain(errors, l => l.StartsWith("2|", StringComparison.Ordinal) && l.Contains("|external_id|"));
    }
}
