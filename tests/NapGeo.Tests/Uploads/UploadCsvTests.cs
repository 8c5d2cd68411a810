using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

/// <summary>How CSV cells are read: field counts, numbers, encodings and headers that qualify their column.</summary>
[Collection(ApiCollection.Name)]
public sealed class UploadCsvTests(NapGeoServer server)
{
    private async Task<(HttpStatusCode Status, JsonObject Body)> UploadAsync(string csv, params (string, string)[] fields) =>
        await UploadAsync(Encoding.UTF8.GetBytes(csv), fields);

    private Task<(HttpStatusCode Status, JsonObject Body)> UploadAsync(byte[] file, params (string, string)[] fields) =>
        UploadSamplesAsync(server.Editor(), file, "field.csv", fields);

    private Task<string> StoredAsync(string campaign, string columns) => server.Database.ScalarAsync<string>(
        $"SELECT string_agg(concat_ws(' ', {columns}), '; ' ORDER BY external_id) FROM samples WHERE campaign = $1", campaign);

    [Fact]
    public async Task A_row_with_more_fields_than_the_header_is_a_row_error_but_trailing_empty_fields_are_not()
    {
        // An unquoted decimal comma split "0,35" into 0 and 35: the row was stored with value 0.
        var campaign = Unique("EXTRA");
        var csv = "sample_id,matrix,latitude,longitude,date,unit,Hg\n" +
                  "CD-01,soil,5.30412,-1.98765,2024-05-02,mg/kg,0,35\n" +
                  "CD-02,soil,5.30412,-1.98765,2024-05-02,mg/kg,1.5,,,\n";
        var (status, body) = await UploadAsync(csv, ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(["2|column 8|35||row 2 has 8 fields but the header has 7 (a decimal comma in a comma-separated file? quote the value)."],
            Lines(body, "errors"));
        Assert.Equal(1, body["counts"]!["valid"]!.GetValue<int>());
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = $1", campaign));
    }

    [Fact]
    public async Task A_comma_before_three_digits_is_ambiguous_and_a_utm_coordinate_outside_its_zone_is_refused()
    {
        // Excel's #,##0 written to CSV: 1,250 was read as 1.25 and the easting 609,812 as 609.812 m.
        var csv = "Sample ID,Matrix,Easting,Northing,Zone,Hg (mg/kg),Date\n" +
                  "TH-01,Tailings,\"609,812\",\"586,345.0\",30N,\"1,250\",02/05/2024\n" +
                  "TH-02,Soil,\"609,010.5\",\"587,001.2\",30N,0.35,02/05/2024\n" +
                  "TH-03,Soil,609812,\"586,345.0\",30N,\"0,350\",02/05/2024\n" +
                  "TH-04,Soil,609.812,586345,30N,\"1,25\",02/05/2024\n" +
                  "TH-05,Soil,609812,-586345,30N,\"1.250,5\",02/05/2024\n";
        var campaign = Unique("THOUSANDS");
        var (status, body) = await UploadAsync(csv, ("campaign", campaign), ("on_error", "skip-invalid"));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal(
        [
            "2|Easting|609,812|geometry|'609,812' is ambiguous: 609.812 with a decimal comma, or 609812 with a thousands separator; write 609.812 or 609812.",
            "2|Hg (mg/kg)|1,250|value|'1,250' is ambiguous: 1.25 with a decimal comma, or 1250 with a thousands separator; write 1.25 or 1250.",
            "5|Easting|609.812|geometry|the easting 609.812 m is outside UTM's 1,000–999,000 m (EPSG:32630).",
            "6|Northing|-586345|geometry|the northing -586345 m is outside UTM's 0–10,000,000 m (EPSG:32630).",
        ], Lines(body, "errors"));
        // Thousands with a decimal point, and a decimal comma with other than three decimals (or a leading 0), read as before.
        var expected = await server.Database.ScalarAsync<string>(
            "SELECT round(ST_X(p)::numeric, 5) || ' ' || round(ST_Y(p)::numeric, 5) FROM ST_Transform(ST_SetSRID(ST_Point(609010.5, 587001.2), 32630), 4326) p");
        Assert.Equal("TH-02 0.35; TH-03 0.35", await StoredAsync(campaign, "external_id, value"));
        Assert.Equal(expected, await server.Database.ScalarAsync<string>(
            "SELECT round(ST_X(geom)::numeric, 5) || ' ' || round(ST_Y(geom)::numeric, 5) FROM samples WHERE campaign = $1 AND external_id = 'TH-02'", campaign));

        // Degrees cannot be thousands: a latitude of 5,304 is 5.304.
        var degrees = Unique("DEGREES");
        var (degreesStatus, degreesBody) = await UploadAsync("sample_id;matrix;latitude;longitude;value;unit\nDG-1;soil;5,304;-1,987;0,35;mg/kg\n", ("campaign", degrees));
        Assert.True(degreesStatus == HttpStatusCode.Created, degreesBody.ToJsonString());
        Assert.Equal("DG-1 -1.987 5.304", await StoredAsync(degrees, "external_id, ST_X(geom), ST_Y(geom)"));
    }

    [Fact]
    public async Task A_zones_latitude_band_must_hold_its_northing_and_an_s_that_cannot_be_south_is_refused()
    {
        // 42S (band S, Tajikistan) was read as the southern hemisphere, at 51.7°S; 30M's 620,000 m landed at 84.5°S.
        var csv = "sample_id,matrix,value,unit,easting,northing,zone\n" +
                  "T1,soil,1,mg/kg,500000,4270000,42S\n" +
                  "T2,soil,1,mg/kg,500000,4270000,42N\n" +
                  "T3,soil,1,mg/kg,500000,4270000,42F\n" +
                  "T4,soil,1,mg/kg,500000,620000,30M\n" +
                  "T5,soil,1,mg/kg,500000,9500000,30M\n" +
                  "T6,soil,1,mg/kg,500000,9500000,31S\n" +
                  "T7,soil,1,mg/kg,500000,1000000,30P\n" +
                  "T8,soil,1,mg/kg,500000,620000,30P\n";
        var campaign = Unique("BANDS");
        var (status, body) = await UploadAsync(csv, ("campaign", campaign), ("on_error", "skip-invalid"));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal(
        [
            "2|zone, northing|42S, 4270000|geometry|zone 42S is ambiguous here: read as the southern hemisphere it puts the northing 4270000 m at 51.72°S, " +
            "read as GPS latitude band S (32°N–40°N) at 38.58°N. Write the zone as 42N for the northern hemisphere or with its southern band letter (42F), " +
            "or leave the zone unread (mapping={\"zone\":null}) and send crs=EPSG:32642 or EPSG:32742.",
            "5|zone, northing|30M, 620000|geometry|zone 30M is latitude band M (8°S–0°), but the northing 620000 m is at 84.46°S there (5.61°N in the other hemisphere, band N): " +
            "check the zone's letter and the northing.",
            "9|zone, northing|30P, 620000|geometry|zone 30P is latitude band P (8°N–16°N), but the northing 620000 m is at 5.61°N there (84.46°S in the other hemisphere, band C): " +
            "check the zone's letter and the northing.",
        ], Lines(body, "errors"));
        // The stored points as PostGIS places them: (500000, 4270000) in 32642 is (69, 38.57846), in 32742 (69, -51.72093).
        Assert.Equal("T2 69.00000 38.57846; T3 69.00000 -51.72093; T5 -3.00000 -4.52356; T6 3.00000 -4.52356; T7 -3.00000 9.04656",
            await StoredAsync(campaign, "external_id, round(ST_X(geom)::numeric, 5), round(ST_Y(geom)::numeric, 5)"));
    }

    [Fact]
    public async Task A_csv_that_is_not_utf8_is_read_as_windows_1252()
    {
        // Excel's "CSV" on Windows: ’ (0x92), – (0x96) and “ ” (0x93, 0x94) were read as Latin-1's control characters.
        // Latin1.GetBytes writes U+0080–U+009F as the bytes 0x80–0x9F, which is what Excel writes for those characters.
        var bytes = Encoding.Latin1.GetBytes("Sample ID;Matrix;Latitude;Longitude;Hg (µg/L);Date;Comments\r\n" +
                                             "W-01;Eau;5,30412;-1,98765;0,8;02/05/2024;Kofi\u0092s well \u0096 downstream\r\n" +
                                             "W-02;Eau;5,3101;-1,9912;<0,01;02/05/2024;\u0093dry\u0094 – Sédiment\r\n".Replace("–", "\u0096"));
        var campaign = Unique("CP1252");
        var (status, body) = await UploadAsync(bytes, ("campaign", campaign));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("W-01 Kofi’s well – downstream µg/L; W-02 “dry” – Sédiment µg/L", await StoredAsync(campaign, "external_id, notes, unit"));
    }

    [Fact]
    public async Task A_utf16_csv_without_its_byte_order_mark_is_read_as_utf16()
    {
        // Both byte orders were refused as "NUL in a header … remove it": every other byte of such a file is 0.
        var csv = "sample_id,matrix,value,unit,latitude,longitude,notes\r\n" +
                  "U-01,soil,0.5,mg/kg,5.30412,-1.98765,Sédiment près de l’Ɔfin\r\n";
        foreach (var (encoding, name) in new[] { (Encoding.BigEndianUnicode, "BE"), (Encoding.Unicode, "LE") })
        {
            var campaign = Unique("UTF16" + name);
            var (status, body) = await UploadAsync(encoding.GetBytes(csv), ("campaign", campaign));
            Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
            Assert.Equal("U-01 Sédiment près de l’Ɔfin 5.30412", await StoredAsync(campaign, "external_id, notes, round(ST_Y(geom)::numeric, 5)"));
        }
    }

    [Fact]
    public async Task A_date_that_cannot_be_read_names_the_forms_read_and_the_rows_other_errors_come_with_it()
    {
        // "must be a date (YYYY-MM-DD) or an ISO 8601 date-time" left out the day-first dates that are read, and a row with
        // a bad date and a negative value said only the date: the value came up on the next upload.
        const string forms = "dates are read as YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD or day first as DD/MM/YYYY, DD.MM.YYYY, DD-MM-YYYY (never month first); " +
                             "with a time as 2024-05-02 10:30, 02/05/2024 10:30 or ISO 8601 (2024-05-02T10:30:00Z), UTC unless it gives an offset.";
        var csv = "sample_id,matrix,value,unit,latitude,longitude,date\n" +
                  "T1,soil,-0.5,mg/kg,5.31,-1.95,45366\n" +
                  "T2,soil,0.5,mg/kg,5.31,-1.95,31/02/2024\n" +
                  "T3,soil,0.5,mg/kg,5.31,-1.95,yesterday\n" +
                  "T4,soil,0.5,mg/kg,5.31,-1.95,29/02/2024\n";
        var campaign = Unique("DATES");
        var (status, body) = await UploadAsync(csv, ("campaign", campaign), ("on_error", "skip-invalid"));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal(
        [
            "2|date|45366|sampled_at|looks like an Excel serial date (45366 is 2024-03-15 in Excel's count of days): the column is not formatted as a date, " +
            $"or lost that format when the sheet was saved as CSV. Format it as a date (YYYY-MM-DD) and save again; {forms}",
            "2|value|-0.5|value|a concentration cannot be negative.",
            $"3|date|31/02/2024|sampled_at|read day first is day 31 of month 2, which 2024 does not have; {forms}",
            $"4|date|yesterday|sampled_at|is not a date: {forms}",
        ], Lines(body, "errors"));
        Assert.Equal("T4 2024-02-29", await StoredAsync(campaign, "external_id, sampled_at::date"));
    }

    [Fact]
    public async Task A_row_reports_its_layer_rule_errors_beside_values_that_cannot_be_read()
    {
        // The layer's rules ran only on rows whose every value was read: a negative value beside an unknown matrix or
        // an unreadable latitude came up only on the next upload, once those were fixed.
        var csv = "sample_id,matrix,value,unit,latitude,longitude,detection_limit\n" +
                  "R1,rock,-0.5,mg/kg,5.31,-1.95,\n" +
                  "R2,soil,-0.5,mg/kg,north,-1.95,-0.1\n" +
                  "R3,soil,abc,mg/kg,5.31,-1.95,-0.1\n" +
                  "R4,soil,0.5,mg/kg,5.31,-1.95,\n";
        var (status, body) = await UploadAsync(csv, ("campaign", Unique("RULES")), ("on_error", "skip-invalid"), ("mode", "dry-run"));
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        var errors = Lines(body, "errors");
        Assert.Equal(
        [
            "2|matrix|rock|matrix|'rock' is not one of: soil, sediment, tailings, water, air, fish, hair, urine, blood, other.",
            "2|value|-0.5|value|a concentration cannot be negative.",
            "3|latitude|north|geometry|the latitude is not a number, nor degrees written as 5°36'13.3\"N.",
            "3|value|-0.5|value|a concentration cannot be negative.",
            "3|detection_limit|-0.1|detection_limit|a detection limit cannot be negative.",
            "4|value|abc|value|must be a finite number.",
            "4|detection_limit|-0.1|detection_limit|a detection limit cannot be negative.",
        ], errors.Where(e => !e.StartsWith("||||", StringComparison.Ordinal)));
        Assert.Equal(1, body["counts"]!["valid"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_west_or_south_mark_in_the_coordinate_header_gives_the_sign()
    {
        // "Longitude (W)" with 1.98765 was stored 1.98765° east, ~440 km from the sample.
        var campaign = Unique("HEMISPHERE");
        var (status, body) = await UploadAsync("Sample ID,Matrix,Latitude (N),Longitude (W),Hg (mg/kg),Date\nHW-01,Soil,5.30412,1.98765,0.35,02/05/2024\n",
            ("campaign", campaign));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        var (spelled, spelledBody) = await UploadAsync("Sample ID,Matrix,Lat S,Longitude West,Hg (mg/kg)\nHW-02,Soil,5.30412,1.98765,0.35\n", ("campaign", campaign));
        Assert.True(spelled == HttpStatusCode.Created, spelledBody.ToJsonString());
        Assert.Equal("HW-01 -1.98765 5.30412; HW-02 -1.98765 -5.30412", await StoredAsync(campaign, "external_id, ST_X(geom), ST_Y(geom)"));

        // A team that also signs the number says the same hemisphere twice: the value stays as written.
        var (signed, signedBody) = await UploadAsync("Sample ID,Matrix,Latitude,Lon (W),Hg (mg/kg)\nHW-03,Soil,5.30412,-1.98765,0.35\n", ("campaign", campaign));
        Assert.True(signed == HttpStatusCode.Created, signedBody.ToJsonString());
        Assert.Equal("HW-01 -1.98765 5.30412; HW-02 -1.98765 -5.30412; HW-03 -1.98765 5.30412", await StoredAsync(campaign, "external_id, ST_X(geom), ST_Y(geom)"));
    }

    [Fact]
    public async Task Lab_unit_spellings_and_a_unit_after_the_header_name_are_read()
    {
        // Exponent notation and a dry-weight mark were refused as unknown units; "Hg mg/kg" gave no unit.
        var campaign = Unique("LABUNITS");
        var csv = "sample_id,matrix,latitude,longitude,Hg,unit\n" +
                  "LU-1,soil,5.3,-1.9,2,mg kg-1\nLU-2,soil,5.3,-1.9,2,mg/kg DW\nLU-3,sediment,5.3,-1.9,2,mg.kg-1\n" +
                  "LU-4,hair,5.3,-1.9,2,µg g-1\nLU-5,soil,5.3,-1.9,2,ug/g\nLU-6,soil,5.3,-1.9,2000,ppb\nLU-7,air,5.3,-1.9,2,ng m-3\n" +
                  "LU-8,fish,5.3,-1.9,2,mg/kg DW\n";
        var (status, body) = await UploadAsync(csv, ("campaign", campaign), ("on_error", "skip-invalid"));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal(["9|unit|mg/kg DW|unit|unit 'mg/kg DW' is per dry weight; fish is reported per wet (fresh) weight, e.g. mg/kg."], Lines(body, "errors"));
        Assert.Equal("LU-1 2 mg/kg; LU-2 2 mg/kg; LU-3 2 mg/kg; LU-4 2 µg/g; LU-5 2 mg/kg; LU-6 2 mg/kg; LU-7 2 ng/m³",
            await StoredAsync(campaign, "external_id, value_normalized, unit_normalized"));

        var header = Unique("HEADERUNIT");
        var (headerStatus, headerBody) = await UploadAsync("Sample,Matrix,lat,lon,Hg mg/kg\nHU-1,Soil,5.3,-1.9,0.35\n", ("campaign", header));
        Assert.True(headerStatus == HttpStatusCode.Created, headerBody.ToJsonString());
        Assert.Equal("mg/kg", headerBody["mapping"]!["unit (from header)"]!.GetValue<string>());
        Assert.Equal("HU-1 mg/kg", await StoredAsync(header, "external_id, unit"));
    }
}
