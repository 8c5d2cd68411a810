using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

/// <summary>Rows whose cells cannot be stored as written: each is a row error naming its cell, the other rows unaffected.</summary>
[Collection(ApiCollection.Name)]
public sealed class UploadRowTests(NapGeoServer server)
{
    private Task<(HttpStatusCode Status, JsonObject Body)> UploadAsync(string file, string name, params (string, string)[] fields) =>
        UploadSamplesAsync(server.Editor(), Encoding.UTF8.GetBytes(file), name, fields);

    private Task<string> StoredAsync(string campaign, string columns) => server.Database.ScalarAsync<string>(
        $"SELECT string_agg(concat_ws(' ', {columns}), '; ' ORDER BY external_id) FROM samples WHERE campaign = $1", campaign);

    [Fact]
    public async Task A_coordinate_that_is_nan_or_beyond_a_double_is_a_row_error_on_its_column()
    {
        // POINT(1e400 5) reads as infinity; serializing it threw half-way through the feature, and the next write into the
        // broken JSON writer was a 500 for the whole file, skip-invalid or not.
        var campaign = Unique("NONFINITE");
        var csv = "sample_id,matrix,value,unit,wkt\n" +
                  "T1,soil,0.5,mg/kg,POINT(-1.9 5.3)\n" +
                  "T2,soil,0.5,mg/kg,POINT(1e400 5)\n" +
                  "T3,soil,0.5,mg/kg,POINT(NaN 5)\n" +
                  "T4,soil,0.5,mg/kg,POINT(-1.9 1e999)\n" +
                  "T5,soil,0.5,mg/kg,POINT(-1.91 5.31)\n";
        var (status, body) = await UploadAsync(csv, "wkt.csv", ("campaign", campaign), ("on_error", "skip-invalid"));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal(
        [
            "3|wkt|POINT(1e400 5)|geometry|coordinate 0 (Infinity, 5) is not a finite number (NaN, or beyond ±1.8e308: 1e400 is read as infinity).",
            "4|wkt|POINT(NaN 5)|geometry|coordinate 0 (NaN, 5) is not a finite number (NaN, or beyond ±1.8e308: 1e400 is read as infinity).",
            "5|wkt|POINT(-1.9 1e999)|geometry|coordinate 0 (-1.9, Infinity) is not a finite number (NaN, or beyond ±1.8e308: 1e400 is read as infinity).",
        ], Lines(body, "errors"));
        Assert.Equal("T1 -1.9 5.3; T5 -1.91 5.31", await StoredAsync(campaign, "external_id, ST_X(geom), ST_Y(geom)"));

        // Coordinate columns said "not a number" of 1e400, which is one.
        var (columnsStatus, columnsBody) = await UploadAsync(
            "sample_id,matrix,value,unit,latitude,longitude\nC1,soil,0.5,mg/kg,5.3,1e400\nC2,soil,0.5,mg/kg,NaN,-1.9\nC3,soil,0.5,mg/kg,5.3,-1.9\n", "columns.csv",
            ("campaign", Unique("NONFINITE")), ("on_error", "skip-invalid"), ("mode", "dry-run"));
        Assert.True(columnsStatus == HttpStatusCode.OK, columnsBody.ToJsonString());
        Assert.Equal(
        [
            "2|longitude|1e400|geometry|the longitude is not a finite number (NaN, or beyond ±1.8e308: 1e400 is read as infinity).",
            "3|latitude|NaN|geometry|the latitude is not a finite number (NaN, or beyond ±1.8e308: 1e400 is read as infinity).",
        ], Lines(columnsBody, "errors"));

        // A GeoJSON geometry reaches FeatureInput as JSON, where 1e400 is out of range like any other longitude.
        var geojson = """
            {"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[1e400,5]},"properties":{"sample_id":"G1","matrix":"soil","value":1,"unit":"mg/kg"}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[-1.9,5.3]},"properties":{"sample_id":"G2","matrix":"soil","value":1,"unit":"mg/kg"}}]}
            """;
        var (featuresStatus, featuresBody) = await UploadAsync(geojson, "f.geojson", ("campaign", Unique("NONFINITE")), ("on_error", "skip-invalid"), ("mode", "dry-run"));
        Assert.True(featuresStatus == HttpStatusCode.OK, featuresBody.ToJsonString());
        Assert.Equal(["1|geometry||geometry|coordinate 0 (Infinity, 5) is outside longitude -180…180 / latitude -90…90."], Lines(featuresBody, "errors"));

        // GDAL writes no geometry for a coordinate that is not finite (a warning on its stderr): the feature has none.
        static string Placemark(string id, string coordinates) =>
            $"<Placemark><name>{id}</name><ExtendedData><Data name=\"matrix\"><value>soil</value></Data><Data name=\"value\"><value>1</value></Data>" +
            $"<Data name=\"unit\"><value>mg/kg</value></Data></ExtendedData><Point><coordinates>{coordinates}</coordinates></Point></Placemark>";
        var kml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>{Placemark("K1", "1e400,5")}{Placemark("K2", "-1.9,5.3")}</Document></kml>";
        var (kmlStatus, kmlBody) = await UploadAsync(kml, "k.kml", ("campaign", Unique("NONFINITE")), ("on_error", "skip-invalid"), ("mode", "dry-run"));
        Assert.True(kmlStatus == HttpStatusCode.OK, kmlBody.ToJsonString());
        Assert.Equal(["1|geometry||geometry|the feature has no geometry."], Lines(kmlBody, "errors"));
        Assert.Equal(1, kmlBody["counts"]!["valid"]!.GetValue<int>());
    }

    [Fact]
    public async Task Degrees_under_a_utm_crs_are_a_row_error_not_a_point_near_the_zones_origin()
    {
        // crs=EPSG:32630 with latitude 5.31 and longitude -1.95 stored the point at (-7.49, 0.00005): the degrees were
        // read as metres, and the UTM range check was skipped exactly when the values looked like degrees.
        var campaign = Unique("UTMDEG");
        var (status, body) = await UploadAsync("sample_id,matrix,value,unit,latitude,longitude\nU1,soil,0.5,mg/kg,5.31,-1.95\n", "u.csv",
            ("campaign", campaign), ("crs", "EPSG:32630"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(["2|longitude, latitude|-1.95, 5.31|geometry|these are degrees, but crs=EPSG:32630 is UTM, in metres: send degrees without crs=, or the eastings and northings with it."],
            Lines(body, "errors"));
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = $1", campaign));

        // x/y are told apart by their values, row by row: metres are placed in the zone, degrees are refused.
        var xy = Unique("UTMXY");
        var (xyStatus, xyBody) = await UploadAsync("sample_id,matrix,value,unit,x,y\nX1,soil,0.5,mg/kg,612345,587654\nX2,soil,0.5,mg/kg,-1.95,5.31\n", "xy.csv",
            ("campaign", xy), ("crs", "EPSG:32730"), ("on_error", "skip-invalid"));
        Assert.True(xyStatus == HttpStatusCode.Created, xyBody.ToJsonString());
        Assert.Equal(["3|x, y|-1.95, 5.31|geometry|these are degrees, but crs=EPSG:32730 is UTM, in metres: send degrees without crs=, or the eastings and northings with it."],
            Lines(xyBody, "errors"));
        var expected = await server.Database.ScalarAsync<string>(
            "SELECT 'X1 ' || round(ST_X(p)::numeric, 5) || ' ' || round(ST_Y(p)::numeric, 5) FROM ST_Transform(ST_SetSRID(ST_Point(612345, 587654), 32730), 4326) p");
        Assert.Equal(expected, await StoredAsync(xy, "external_id, round(ST_X(geom)::numeric, 5), round(ST_Y(geom)::numeric, 5)"));
    }

    /// <summary>Degrees under any projected crs= were read as its units: with Ghana's national grid (EPSG:2136, feet) the
    /// point was stored beside the grid's false origin, with Web Mercator beside (0, 0).</summary>
    [Fact]
    public async Task Degrees_under_any_projected_crs_are_a_row_error()
    {
        var campaign = Unique("GRIDDEG");
        var (status, body) = await UploadAsync("sample_id,matrix,value,unit,x,y\nG1,soil,0.5,mg/kg,-1.95,5.31\nG2,soil,0.5,mg/kg,-217000,-2600\n", "g.csv",
            ("campaign", campaign), ("crs", "EPSG:3857"), ("on_error", "skip-invalid"));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal(["2|x, y|-1.95, 5.31|geometry|these are degrees, but crs=EPSG:3857 is a projected CRS, in metres or feet: send degrees without crs=, or the eastings and northings with it."],
            Lines(body, "errors"));
        Assert.Equal("G2 -1.9493 -0.0234", await StoredAsync(campaign, "external_id, round(ST_X(geom)::numeric, 4), round(ST_Y(geom)::numeric, 4)"));

        var (grid, gridBody) = await UploadAsync("sample_id,matrix,value,unit,latitude,longitude\nN1,soil,0.5,mg/kg,5.31,-1.95\n", "n.csv",
            ("campaign", Unique("GRIDDEG")), ("crs", "EPSG:2136"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, grid);
        Assert.Equal(["2|longitude, latitude|-1.95, 5.31|geometry|these are degrees, but crs=EPSG:2136 is a projected CRS, in metres or feet: send degrees without crs=, or the eastings and northings with it."],
            Lines(gridBody, "errors"));

        // A name that merely ends in CRS84 is not CRS84: it was read as lon/lat degrees.
        var (unknown, unknownBody) = await UploadAsync("sample_id,matrix,value,unit,latitude,longitude\nD0,soil,0.5,mg/kg,5.31,-1.95\n", "x.csv",
            ("campaign", Unique("XCRS")), ("crs", "XCRS84"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
        Assert.Equal("Unknown CRS", unknownBody["title"]!.GetValue<string>());

        // A well-formed code the server does not know was the same row error on every row: one 400 for the option instead.
        var (unknownCode, unknownCodeBody) = await UploadAsync(
            "sample_id,matrix,value,unit,easting,northing\nE1,soil,0.5,mg/kg,620000,580000\nE2,soil,0.5,mg/kg,620010,580010\n", "e.csv",
            ("campaign", Unique("XCRS")), ("crs", "EPSG:99999"));
        Assert.True(unknownCode == HttpStatusCode.BadRequest, unknownCodeBody.ToJsonString());
        Assert.Equal("Unknown CRS", unknownCodeBody["title"]!.GetValue<string>());
        Assert.Equal("crs 'EPSG:99999' is not known to this server, or its projection is not supported; use an EPSG code such as EPSG:32630 (UTM 30N), or leave crs out for longitude/latitude.",
            unknownCodeBody["detail"]!.GetValue<string>());

        // A geographic crs= is degrees: nothing to refuse.
        var (geographic, geographicBody) = await UploadAsync("sample_id,matrix,value,unit,latitude,longitude\nD1,soil,0.5,mg/kg,5.31,-1.95\n", "d.csv",
            ("campaign", Unique("GEODEG")), ("crs", "EPSG:4326"));
        Assert.True(geographic == HttpStatusCode.Created, geographicBody.ToJsonString());
    }

    [Fact]
    public async Task A_nul_character_in_a_cell_is_a_row_error_naming_its_row_and_column()
    {
        // PostgreSQL text cannot hold a NUL: the COPY failed, and the whole upload was a 400 "invalid byte sequence for
        // encoding UTF8: 0x00" that named no row.
        var campaign = Unique("NUL");
        var csv = "sample_id,matrix,value,unit,latitude,longitude,notes\nN1,soil,0.5,mg/kg,5.3,-1.9,bad\0note\nN2,soil,0.5,mg/kg,5.3,-1.9,fine\n";
        var (status, body) = await UploadAsync(csv, "nul.csv", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var expected = "2|notes|bad␀note|notes|holds a NUL character (byte 0, shown as ␀), which PostgreSQL text cannot store; remove it.";
        Assert.Equal([expected], Lines(body, "errors"));
        // The stored report (jsonb, which cannot hold a NUL either) says the same.
        var stored = await (await server.Editor().GetAsync($"/api/uploads/{body["id"]}")).JsonAsync();
        Assert.Equal("rejected", stored["status"]!.GetValue<string>());
        Assert.Equal([expected], Lines(stored, "errors"));

        var (skipStatus, skipBody) = await UploadAsync(csv, "nul.csv", ("campaign", campaign), ("on_error", "skip-invalid"));
        Assert.True(skipStatus == HttpStatusCode.Created, skipBody.ToJsonString());
        Assert.Equal("N2 fine", await StoredAsync(campaign, "external_id, notes"));

        // A header is the upload's, not a row's: the file is refused naming the column.
        var (headerStatus, headerBody) = await UploadAsync("sample_id,matrix,value,unit,latitude,longitude,no\0tes\nH1,soil,0.5,mg/kg,5.3,-1.9,x\n", "h.csv",
            ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, headerStatus);
        Assert.Equal("The header of column 7 ('no␀tes') holds a NUL character (byte 0, shown as ␀); remove it.", headerBody["detail"]!.GetValue<string>());

        // Any other text a report quotes is stored with ␀ for the NUL, here FeatureInput's message about a geometry's type.
        var geojson = """{"type":"Feature","geometry":{"type":"Po\u0000int","coordinates":[-1.9,5.3]},"properties":{"sample_id":"G1","matrix":"soil","value":1,"unit":"mg/kg"}}""";
        var (typeStatus, typeBody) = await UploadAsync(geojson, "t.geojson", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, typeStatus);
        var typeStored = await (await server.Editor().GetAsync($"/api/uploads/{typeBody["id"]}")).JsonAsync();
        Assert.Equal(["1|geometry||geometry|geometry.type 'Po␀int' is not a GeoJSON geometry type."], Lines(typeStored, "errors"));

        // An option is stored with the upload too (the campaign on every row).
        var (optionStatus, optionBody) = await UploadAsync("sample_id,matrix,value,unit,latitude,longitude\nO1,soil,0.5,mg/kg,5.3,-1.9\n", "o.csv", ("campaign", "C\0X"));
        Assert.Equal(HttpStatusCode.BadRequest, optionStatus);
        Assert.Equal("holds a NUL character (byte 0), which cannot be stored; remove it.", optionBody["errors"]!["campaign"]![0]!.GetValue<string>());
        Assert.Equal(1L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = $1", campaign));
    }

    [Fact]
    public async Task A_detection_limit_is_converted_from_the_unit_in_its_header_to_the_rows_unit()
    {
        // "LOD (µg/kg)" beside "Hg (mg/kg)": the header's unit was dropped, and 20 µg/kg stored as 20 mg/kg, no warning.
        var campaign = Unique("LODUNIT");
        var (status, body) = await UploadAsync(
            "sample_id,matrix,Hg (mg/kg),LOD (µg/kg),latitude,longitude\nD1,soil,ND,20,5.3,-1.9\nD2,sediment,0.5,0.9,5.3,-1.9\n", "lod.csv",
            ("campaign", campaign));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        // 0.9 µg/kg is 0.0009 mg/kg, not the 0.0009000000000000001 that multiplying by 1e-3 gives.
        Assert.Equal("D1 mg/kg 0.02 0.02 t; D2 mg/kg 0.0009 0.5 f",
            await StoredAsync(campaign, "external_id, unit, detection_limit, value_normalized, below_detection"));
        Assert.Equal("µg/kg", body["mapping"]!["detection_limit unit (from header)"]!.GetValue<string>());

        // The row's unit from a unit column, the limit's from its header: 0.01 mg/L is 10 µg/L, above WHO's 6 µg/L for
        // drinking water, so a water sample below that limit cannot be classed (it was 0.01 µg/L and "below"). A limit
        // in mg/L cannot be a soil's: that row is an error naming the limit's cell.
        var water = Unique("LODWATER");
        var (waterStatus, waterBody) = await UploadAsync(
            "sample_id,matrix,Hg,unit,LOD (mg/L),latitude,longitude\nW1,water,ND,µg/L,0.01,5.3,-1.9\nW2,water,ND,ug/L,0.001,5.3,-1.9\nS1,soil,ND,mg/kg,0.01,5.3,-1.9\n" +
            "U1,urine,ND,µg/g creatinine,0.01,5.3,-1.9\nO1,other,ND,mg/L,0.01,5.3,-1.9\nO2,other,ND,mg/kg,0.01,5.3,-1.9\n", "lodwater.csv",
            ("campaign", water), ("on_error", "skip-invalid"));
        Assert.True(waterStatus == HttpStatusCode.Created, waterBody.ToJsonString());
        Assert.Equal(
        [
            "4|LOD (mg/L)|0.01|detection_limit|is in mg/L (its header), which cannot be converted to the row's unit mg/kg: unit 'mg/L' does not fit matrix soil: soil is reported as mass per mass, e.g. mg/kg.",
            "5|LOD (mg/L)|0.01|detection_limit|is in mg/L (its header), which cannot be converted to the row's unit µg/g creatinine: µg/L and µg/g creatinine are different bases.",
            "7|LOD (mg/L)|0.01|detection_limit|is in mg/L (its header), which cannot be converted to the row's unit mg/kg: a sample of matrix other has no canonical unit to convert through.",
        ], Lines(waterBody, "errors"));
        Assert.Equal("O1 0.01; W1 10 10 µg/L 6; W2 1 1 µg/L 6 below",
            await StoredAsync(water, "external_id, detection_limit, value_normalized, unit_normalized, guideline_value, exceedance_class"));
    }

    [Fact]
    public async Task A_detection_limit_in_its_own_unit_needs_the_rows_unit_and_matrix_from_the_file()
    {
        // A re-upload without a unit column takes the stored row's unit, which the converter cannot see: "LOD (µg/kg)" = 20
        // would have been stored as 20 in the stored mg/kg. The row's unit and matrix must come with the limit.
        var campaign = Unique("LODREUP");
        var (firstStatus, firstBody) = await UploadAsync("sample_id,matrix,value,unit,latitude,longitude\nR1,soil,0.5,mg/kg,5.3,-1.9\n", "first.csv", ("campaign", campaign));
        Assert.True(firstStatus == HttpStatusCode.Created, firstBody.ToJsonString());
        var (status, body) = await UploadAsync("sample_id,Hg,LOD (µg/kg),latitude,longitude\nR1,ND,20,5.3,-1.9\n", "again.csv", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(["2|LOD (µg/kg)|20|detection_limit|is in µg/kg (its header), which cannot be converted without the row's matrix and unit: give them in the file."],
            Lines(body, "errors"));
        Assert.Equal("R1 0.5 mg/kg f", await StoredAsync(campaign, "external_id, value, unit, below_detection, detection_limit"));

        // The limit in the values' own unit needs no conversion: the lab's sheet without the matrix is taken.
        var (same, sameBody) = await UploadAsync("sample_id,Hg (mg/kg),LOD (mg/kg),latitude,longitude\nR1,0.7,0.01,5.3,-1.9\n", "lab.csv", ("campaign", campaign));
        Assert.True(same == HttpStatusCode.Created, sameBody.ToJsonString());
        Assert.Equal("R1 soil 0.7 mg/kg 0.01", await StoredAsync(campaign, "external_id, matrix, value, unit, detection_limit"));
    }

    [Fact]
    public async Task An_over_long_cell_is_quoted_in_the_report_only_in_part()
    {
        // A 5 MB notes cell was echoed whole: a 5.2 MB answer, and as much in uploads.report.
        var notes = new string('n', 5_000_000);
        var matrix = new string('x', 199) + "😀" + new string('x', 3000); // the cut does not split the emoji's surrogate pair
        var (status, body) = await UploadAsync(
            $"sample_id,matrix,value,unit,notes,latitude,longitude\nL1,soil,1,mg/kg,{notes},5.3,-1.9\nL2,{matrix},1,mg/kg,,5.3,-1.9\n", "long.csv",
            ("campaign", Unique("LONGCELL")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var errors = body["errors"]!.AsArray();
        Assert.Equal(new string('n', 200) + "… (5,000,000 characters)", errors[0]!["value"]!.GetValue<string>());
        Assert.Equal(new string('x', 199) + "… (3,201 characters)", errors[1]!["value"]!.GetValue<string>());
        var stored = await server.Database.ScalarAsync<int>("SELECT length(report::text) FROM uploads WHERE id = $1::uuid", body["id"]!.GetValue<string>());
        Assert.InRange(stored, 1, 20_000);
        // Read back, the record quotes them as the answer did (it was cut again, and said "224 characters").
        var record = await (await server.Editor().GetAsync($"/api/uploads/{body["id"]}")).JsonAsync();
        Assert.Equal(new string('n', 200) + "… (5,000,000 characters)", record["errors"]![0]!["value"]!.GetValue<string>());
        Assert.Equal(new string('x', 199) + "… (3,201 characters)", record["errors"]![1]!["value"]!.GetValue<string>());
    }
}
