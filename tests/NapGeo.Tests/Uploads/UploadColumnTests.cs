using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

/// <summary>Which column feeds which field, for the headers Kobo, ODK, GDAL and NapGeo's own exports write.</summary>
[Collection(ApiCollection.Name)]
public sealed class UploadColumnTests(NapGeoServer server)
{
    private Task<(HttpStatusCode Status, JsonObject Body)> UploadAsync(string file, string name, params (string, string)[] fields) =>
        UploadSamplesAsync(server.Editor(), Encoding.UTF8.GetBytes(file), name, fields);

    private Task<string> StoredAsync(string campaign, string columns) => server.Database.ScalarAsync<string>(
        $"SELECT string_agg(concat_ws(' ', {columns}), '; ' ORDER BY external_id) FROM samples WHERE campaign = $1", campaign);

    private static string Mapped(JsonObject body, string field) => body["mapping"]![field]?.GetValue<string>() ?? "(none)";

    /// <summary>A note typed right of the header ("re-run, value doubtful") was reported as an ignored column named "";
    /// a formatted but empty column there was reported the same way.</summary>
    [Fact]
    public async Task A_spreadsheet_column_without_a_header_is_named_by_its_place_and_an_empty_one_is_not_a_column()
    {
        async Task<JsonObject> DryRunAsync(string? note)
        {
            var path = Path.Combine(Path.GetTempPath(), $"napgeo-unheaded-{Guid.NewGuid():N}.xlsx");
            var rows = new List<Dictionary<string, object?>>
            {
                new() { ["A"] = "sample_id", ["B"] = "matrix", ["C"] = "value", ["D"] = "unit", ["E"] = "latitude", ["F"] = "longitude", ["G"] = null, ["H"] = null },
                new() { ["A"] = "U1", ["B"] = "soil", ["C"] = 1.5, ["D"] = "mg/kg", ["E"] = 5.3, ["F"] = -1.9, ["G"] = note, ["H"] = null },
            };
            MiniExcelLibs.MiniExcel.SaveAs(path, rows, printHeader: false);
            try
            {
                var (status, body) = await UploadSamplesAsync(server.Editor(), await File.ReadAllBytesAsync(path), "unheaded.xlsx", ("campaign", "UNHEADED"), ("mode", "dry-run"));
                Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
                return body;
            }
            finally { File.Delete(path); }
        }
        var noted = await DryRunAsync("re-run, value doubtful");
        Assert.Equal("column 7 (no header)", noted["warnings"]!.AsArray().Single(w => w!["kind"]!.GetValue<string>() == "ignored_columns")!["column"]!.GetValue<string>());
        Assert.Equal(["sample_id", "matrix", "value", "unit", "latitude", "longitude", ""], noted["columns"]!.AsArray().Select(c => c!.GetValue<string>()));
        var empty = await DryRunAsync(null);
        Assert.DoesNotContain(empty["warnings"]!.AsArray(), w => w!["kind"]!.GetValue<string>() == "ignored_columns");
        Assert.Equal(6, empty["columns"]!.AsArray().Count);
    }

    /// <summary>A detected column could not be left out: a form's enumerator names went into notes, and a mining "Zone"
    /// was taken for a UTM zone. A null in the mapping leaves the field unread.</summary>
    [Fact]
    public async Task A_null_in_the_mapping_leaves_a_detected_field_unread()
    {
        const string csv = "sample_id,matrix,Hg (mg/kg),latitude,longitude,notes,Zone\nUN-1,soil,0.5,5.3,-1.9,Kwame Mensah (enumerator),North pit\n";
        var detected = Unique("UNREAD");
        var (status, body) = await UploadAsync(csv, "unread.csv", ("campaign", detected));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("notes", Mapped(body, "notes"));
        Assert.Equal("Zone", Mapped(body, "zone"));
        Assert.Equal("Kwame Mensah (enumerator)", await StoredAsync(detected, "notes"));

        var unread = Unique("UNREAD");
        (status, body) = await UploadAsync(csv, "unread.csv", ("campaign", unread), ("mapping", """{"notes":null,"zone":null}"""));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("(none)", Mapped(body, "notes"));
        Assert.Equal("(none)", Mapped(body, "zone"));
        Assert.Equal("UN-1 0.5", await StoredAsync(unread, "external_id, notes, value"));
        var ignored = body["warnings"]!.AsArray().Single(w => w!["kind"]!.GetValue<string>() == "ignored_columns")!["column"]!.GetValue<string>();
        Assert.Contains("notes", ignored);
        Assert.Contains("Zone", ignored);

        (status, body) = await UploadAsync(csv, "unread.csv", ("campaign", unread), ("mapping", """{"latitude":null}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Coordinates cannot be unread", body["title"]!.GetValue<string>());
        (status, body) = await UploadAsync(csv, "unread.csv", ("campaign", unread), ("mapping", """{"colour":null}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("mapping.colour", body["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_required_field_without_a_column_names_the_unread_columns_and_the_mapping_that_reads_one()
    {
        // "external_id is required" with column null, while "Lab ID" sat in ignored_columns.
        var csv = "Lab ID,Enumerator,matrix,value,unit,latitude,longitude\nL-7,Ama,soil,0.5,mg/kg,5.31,-1.95\n";
        var (status, body) = await UploadAsync(csv, "lab.csv", ("campaign", Unique("LABID")));
        Assert.True(status == HttpStatusCode.UnprocessableEntity, body.ToJsonString());
        Assert.Equal(["2|||external_id|is required. No column was read as external_id; the file's columns that were not read are 'Lab ID', 'Enumerator': " +
                      "if one of them holds it, send mapping={\"external_id\":\"Lab ID\"}."], Lines(body, "errors"));

        var campaign = Unique("LABID");
        var (mapped, mappedBody) = await UploadAsync(csv, "lab.csv", ("campaign", campaign), ("mapping", "{\"external_id\":\"Lab ID\"}"));
        Assert.True(mapped == HttpStatusCode.Created, mappedBody.ToJsonString());
        Assert.Equal("L-7", await StoredAsync(campaign, "external_id"));
    }

    [Fact]
    public async Task The_option_columns_of_a_kobo_multiple_choice_question_are_not_read_as_other_fields()
    {
        // "parameters/hg" is 1 when Hg was measured: it was taken for the value (its name after the last '/' is "hg").
        var csv = "group_sampling/sample_id,group_sampling/matrix,group_sampling/parameters,group_sampling/parameters/hg,group_sampling/parameters/as," +
                  "_group_sampling/gps_latitude,_group_sampling/gps_longitude,group_sampling/hg_reading,group_sampling/unit\n" +
                  "KX-001,soil,hg as,1,1,5.30412,-1.98765,0.35,mg/kg\n" +
                  "KX-002,tailings,hg,1,0,5.3101,-1.9912,12.5,mg/kg\n";
        var campaign = Unique("KOBOOPT");
        var (status, body) = await UploadAsync(csv, "kobo.csv", ("campaign", campaign));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("group_sampling/hg_reading", Mapped(body, "value"));
        Assert.Equal("KX-001 0.35; KX-002 12.5", await StoredAsync(campaign, "external_id, value"));

        // A form's reading of the instrument, named after it, is the value too.
        var (lumexStatus, lumexBody) = await UploadAsync("sample_id,matrix,unit,latitude,longitude,lumex_reading\nL1,soil,mg/kg,5.3,-1.9,0.8\n", "lumex.csv",
            ("campaign", Unique("READING")), ("mode", "dry-run"));
        Assert.True(lumexStatus == HttpStatusCode.OK, lumexBody.ToJsonString());
        Assert.Equal("lumex_reading", Mapped(lumexBody, "value"));
    }

    [Fact]
    public async Task A_kobo_option_named_as_a_yes_no_field_is_that_field()
    {
        // A sites form asking the Annex C practices as one multiple-choice question: every practice was stored false, and
        // the option columns were only listed as ignored, because no option column was ever detected.
        var code = Unique("KP");
        var square = "POLYGON((-1.9 5.3,-1.89 5.3,-1.89 5.31,-1.9 5.31,-1.9 5.3))";
        var csv = "site_code;name;country;wkt;practices/practices;practices/practices/whole_ore_amalgamation;practices/practices/open_burning_amalgam;practices/practices/retorts\n" +
                  $"{code}-1;Kobo site 1;GHA;{square};whole_ore_amalgamation open_burning_amalgam;1;1;0\n" +
                  $"{code}-2;Kobo site 2;GHA;{square};retorts;0;0;1\n";
        var response = await PostAsync(server.Editor(), Encoding.UTF8.GetBytes(csv), "sites.csv", ("target", "sites"));
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("practices/practices/whole_ore_amalgamation", Mapped(body, "whole_ore_amalgamation"));
        Assert.Equal("practices/practices", body["warnings"]!.AsArray().Single(w => w!["kind"]!.GetValue<string>() == "ignored_columns")!["column"]!.GetValue<string>());
        Assert.Equal($"{code}-1 t t f f; {code}-2 f f f t", await server.Database.ScalarAsync<string>(
            "SELECT string_agg(concat_ws(' ', site_code, whole_ore_amalgamation, open_burning_amalgam, residential_burning_amalgam, retorts), '; ' ORDER BY site_code) " +
            "FROM sites WHERE site_code LIKE $1", code + "-%"));
    }

    [Fact]
    public async Task Kobo_system_columns_never_take_a_field_but_its_gps_columns_are_the_coordinates()
    {
        // _notes beat the form's comments (its folded name is the field's own), and Kobo's record number _id became external_id.
        var csv = "start;prelevement/id_echantillon;prelevement/type_echantillon;_gps_latitude;_gps_longitude;prelevement/teneur_hg;prelevement/unite;" +
                  "prelevement/observations;_id;_uuid;_submission_time;_validation_status;_notes;_status;_submitted_by;__version__;_tags;_index\n" +
                  "2024-05-02T10:20:01.000+00:00;BF-ECH-001;Sol;12.3641;-1.5337;0,35;mg/kg;près du puits;48213377;a1b2c3d4-0001;2024-05-02T10:31:22;;;" +
                  "submitted_via_web;agent1;vK3jd;;1\n";
        var campaign = Unique("KOBOSYS");
        var (status, body) = await UploadAsync(csv, "kobo_fr.csv", ("campaign", campaign));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal(["prelevement/id_echantillon", "prelevement/observations", "_gps_latitude", "_gps_longitude"],
            [Mapped(body, "external_id"), Mapped(body, "notes"), Mapped(body, "latitude"), Mapped(body, "longitude")]);
        Assert.DoesNotContain(body["mapping"]!.AsObject(), p => p.Value!.GetValue<string>().StartsWith('_') && p.Key is not ("latitude" or "longitude"));
        Assert.Equal("BF-ECH-001 près du puits 0.35 -1.5337 12.3641", await StoredAsync(campaign, "external_id, notes, value, ST_X(geom), ST_Y(geom)"));
    }

    [Fact]
    public async Task Several_latitude_longitude_pairs_refuse_the_file_until_a_mapping_chooses()
    {
        // ODK's start_geopoint (where the form was opened) came first and was taken without a word.
        var csv = "start_geopoint-Latitude,start_geopoint-Longitude,start_geopoint-Altitude,sample_id,matrix,hg_value,unit,location-Latitude,location-Longitude\n" +
                  "5.2801,-1.9702,95,SG-001,soil,0.35,mg/kg,5.30412,-1.98765\n";
        var campaign = Unique("PAIRS");
        var (status, body) = await UploadAsync(csv, "odk.csv", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("Several coordinate columns", body["title"]!.GetValue<string>());
        Assert.Equal("The file has more than one set of latitude/longitude columns (start_geopoint-Latitude / start_geopoint-Longitude; location-Latitude / location-Longitude); " +
                     "say which is the sample's location with mapping={\"latitude\":\"start_geopoint-Latitude\",\"longitude\":\"start_geopoint-Longitude\"} " +
                     "or mapping={\"latitude\":\"location-Latitude\",\"longitude\":\"location-Longitude\"}.", body["detail"]!.GetValue<string>());

        // Kobo's _start_geopoint beside _gps: the same.
        var kobo = "_start_geopoint_latitude,_start_geopoint_longitude,sample_id,matrix,value,unit,_gps_latitude,_gps_longitude\n5.28,-1.97,K1,soil,1,mg/kg,5.3,-1.98\n";
        var (koboStatus, koboBody) = await UploadAsync(kobo, "kobo.csv", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, koboStatus);
        Assert.Equal("Several coordinate columns", koboBody["title"]!.GetValue<string>());

        var (mappedStatus, mappedBody) = await UploadAsync(csv, "odk.csv", ("campaign", campaign),
            ("mapping", """{"latitude":"location-Latitude","longitude":"location-Longitude"}"""));
        Assert.True(mappedStatus == HttpStatusCode.Created, mappedBody.ToJsonString());
        Assert.Equal("SG-001 -1.98765 5.30412", await StoredAsync(campaign, "external_id, ST_X(geom), ST_Y(geom)"));
    }

    [Fact]
    public async Task Odk_central_group_paths_with_dashes_find_their_question()
    {
        // "sample-sample_id", "sample-unit", "sample-date_sampled", "sample-notes" matched nothing: no id, unit, date or notes.
        var csv = "SubmissionDate,start,end,today,deviceid,sample-sample_id,sample-matrix,sample-hg_value,sample-unit,sample-date_sampled," +
                  "sample-location-Latitude,sample-location-Longitude,sample-location-Altitude,sample-location-Accuracy,sample-notes,meta-instanceID,KEY\n" +
                  "2024-05-02T10:31:22.713Z,2024-05-02T10:20:01.000+00:00,2024-05-02T10:31:22.000+00:00,2024-05-02,collect:Xy12,OG-001,soil,0.35,mg/kg," +
                  "2024-05-02,5.30412,-1.98765,112.3,4.5,near pit,uuid:5a0f1b2c-0001,uuid:5a0f1b2c-0001\n";
        var campaign = Unique("ODKDASH");
        var (status, body) = await UploadAsync(csv, "odk.csv", ("campaign", campaign));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal(["sample-sample_id", "sample-matrix", "sample-hg_value", "sample-unit", "sample-date_sampled", "sample-notes", "sample-location-Latitude", "sample-location-Longitude"],
            [Mapped(body, "external_id"), Mapped(body, "matrix"), Mapped(body, "value"), Mapped(body, "unit"), Mapped(body, "sampled_at"), Mapped(body, "notes"),
             Mapped(body, "latitude"), Mapped(body, "longitude")]);
        Assert.Equal("OG-001 soil 0.35 mg/kg 2024-05-02 near pit -1.98765 5.30412",
            await StoredAsync(campaign, "external_id, matrix, value, unit, sampled_at::date, notes, ST_X(geom), ST_Y(geom)"));
    }

    [Fact]
    public async Task A_lone_hyphenated_header_is_a_column_of_its_own_not_a_group_question()
    {
        // "Analysis-Date" and "QA-Result" once took the date and the value from the real columns beside them.
        var csv = "sample_id,lat,lon,Hg,unit,Sampling date,Analysis-Date,QA-Result\nHY-01,5.3,-1.9,0.35,mg/kg,2024-05-02,2024-06-20,ok\n";
        var (status, body) = await UploadAsync(csv, "lab.csv", ("campaign", Unique("HYPHEN")), ("mode", "dry-run"));
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(["Hg", "Sampling date"], [Mapped(body, "value"), Mapped(body, "sampled_at")]);
    }

    [Fact]
    public async Task A_shapefile_of_napgeo_fields_maps_their_truncated_names_and_not_the_feature_id()
    {
        // The .dbf keeps 10 characters: external_id, below_detection and detection_limit came back unread, and the
        // feature's UUID column id became external_id.
        var folder = Folder();
        var geojson = Path.Combine(folder, "export.geojson");
        File.WriteAllText(geojson, """
            {"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-1.95,5.31]},"properties":
            {"id":"0b7c5d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e","external_id":"RT-1","matrix":"soil","value":0.02,"unit":"mg/kg","below_detection":1,"detection_limit":0.05}}]}
            """);
        Ogr2Ogr("-f", "ESRI Shapefile", Path.Combine(folder, "shp"), geojson);
        var zip = Path.Combine(folder, "roundtrip.zip");
        System.IO.Compression.ZipFile.CreateFromDirectory(Path.Combine(folder, "shp"), zip);
        var campaign = Unique("ROUNDTRIP");
        var response = await PostAsync(server.Editor(), zip, ("target", "samples"), ("campaign", campaign));
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal(["external_i", "below_dete", "detection_"], [Mapped(body, "external_id"), Mapped(body, "below_detection"), Mapped(body, "detection_limit")]);
        Assert.Equal("RT-1 t 0.05", await StoredAsync(campaign, "external_id, below_detection, detection_limit"));
    }

    [Fact]
    public async Task Kml_extended_data_names_come_through_as_written()
    {
        // GDAL's LIBKML driver laundered "Hg (mg/kg)" into "Hg__mg_kg_", and the unit in the name was lost.
        var kml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><Placemark><name>GE-1</name>" +
                  "<ExtendedData><Data name=\"Hg (mg/kg)\"><value>0.35</value></Data><Data name=\"matrix\"><value>soil</value></Data></ExtendedData>" +
                  "<Point><coordinates>-1.6,6.7</coordinates></Point></Placemark></Document></kml>";
        var campaign = Unique("KMLNAMES");
        var (status, body) = await UploadAsync(kml, "google_earth.kml", ("campaign", campaign), ("mapping", """{"external_id":"Name"}"""));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("Hg (mg/kg)", Mapped(body, "value"));
        Assert.Equal("GE-1 0.35 mg/kg", await StoredAsync(campaign, "external_id, value, unit"));
    }
}
