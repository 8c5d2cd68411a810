using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MiniExcelLibs;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

/// <summary>What the readers make of files as field tools and older programs write them.</summary>
[Collection(ApiCollection.Name)]
public sealed class UploadSourceTests(NapGeoServer server)
{
    private Task<long> CountAsync(string campaign) => server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = $1", campaign);

    /// <summary>QGIS saves layer styles in a GeoPackage as a table without geometry: its rows were read as samples without
    /// a location, and the whole file was refused.</summary>
    [Fact]
    public async Task A_geopackage_table_without_geometry_is_left_out_and_named()
    {
        var folder = Folder();
        var campaign = Unique("STYLED");
        var file = Path.Combine(folder, "samples.gpkg");
        Ogr2Ogr("-f", "GPKG", file, SamplesGeoJson(folder, campaign), "-nln", "samples");
        var styles = Path.Combine(folder, "layer_styles.csv");
        File.WriteAllText(styles, "f_table_name,stylename,styleqml\nsamples,default,<qgis/>\n");
        Ogr2Ogr("-f", "GPKG", "-update", file, styles, "-nln", "layer_styles");

        var response = await PostAsync(server.Editor(), file, ("target", "samples"), ("campaign", campaign));
        var upload = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, upload.ToJsonString());
        Assert.Equal(2L, await CountAsync(campaign));
        var layers = upload["warnings"]!.AsArray().Single(w => w!["kind"]?.GetValue<string>() == "layers")!;
        Assert.Contains("'samples' rows 1–2, 'layer_styles' not read (a table without geometry)", layers["reason"]!.GetValue<string>());
    }

    /// <summary>One Windows-1252 byte made the whole file Windows-1252, and every UTF-8 letter elsewhere was stored as two
    /// wrong ones ("près" as "prÃ¨s"), without a word.</summary>
    [Fact]
    public async Task A_csv_mixing_utf8_and_windows_1252_is_refused_naming_a_line_of_each()
    {
        var campaign = Unique("MIXED");
        var bytes = Encoding.UTF8.GetBytes("sample_id,matrix,latitude,longitude,Hg (mg/kg),notes\nMX-1,soil,5.31,-1.95,0.5,près du puits\n")
            .Concat(Encoding.Latin1.GetBytes("MX-2,soil,5.32,-1.96,0.7,près de la rivière\n")).ToArray();
        var (status, body) = await UploadSamplesAsync(server.Editor(), bytes, "mixed.csv", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("Mixed text encodings", body["title"]!.GetValue<string>());
        Assert.StartsWith("The file mixes two text encodings: line 2 is UTF-8, but line 3 holds byte 0xE8,", body["detail"]!.GetValue<string>());
        Assert.Equal(0L, await CountAsync(campaign));

        // Windows-1252 letters that happen to form a UTF-8 pair ("É©" is the bytes of ɩ) are not UTF-8 text: read as before.
        var plain = Unique("CP1252");
        var (plainStatus, plainBody) = await UploadSamplesAsync(server.Editor(),
            Encoding.Latin1.GetBytes("sample_id,matrix,latitude,longitude,Hg (mg/kg),notes\nMX-3,soil,5.31,-1.95,0.5,É©lève\n"), "plain.csv", ("campaign", plain));
        Assert.True(plainStatus == HttpStatusCode.Created, plainBody.ToJsonString());
        Assert.Equal("É©lève", await server.Database.ScalarAsync<string>("SELECT notes FROM samples WHERE campaign = $1", plain));
    }

    /// <summary>
    /// Valid UTF-8 that was not one of the "telling" letters counted as a byte UTF-8 cannot have: Excel's "CSV UTF-8",
    /// which starts with a byte order mark, was refused as mixing encodings, and ≤ or Akan's Ɔ, without é or µ beside
    /// them, were stored as "â‰¤" and "Æ†".
    /// </summary>
    [Fact]
    public async Task Utf8_with_a_byte_order_mark_or_letters_beyond_latin_1_is_read_as_utf8()
    {
        const string header = "sample_id;matrix;latitude;longitude;Hg (µg g⁻¹);notes\n";
        var withBom = Unique("BOM");
        var (status, body) = await UploadSamplesAsync(server.Editor(),
            [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(header + "B-1;Sédiment;5,31;-1,95;300;près du puits\n")], "excel.csv", ("campaign", withBom));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("près du puits", await server.Database.ScalarAsync<string>("SELECT notes FROM samples WHERE campaign = $1", withBom));
        Assert.Equal("µg g⁻¹ 300 mg/kg", await server.Database.ScalarAsync<string>("SELECT unit || ' ' || value_normalized || ' ' || unit_normalized FROM samples WHERE campaign = $1", withBom));

        var beyond = Unique("AKAN");
        (status, body) = await UploadSamplesAsync(server.Editor(),
            Encoding.UTF8.GetBytes("sample_id,matrix,latitude,longitude,Hg (mg/kg),notes\nB-2,soil,5.31,-1.95,0.5,≤ LQ Ɔbuasi\n"), "akan.csv", ("campaign", beyond));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("≤ LQ Ɔbuasi", await server.Database.ScalarAsync<string>("SELECT notes FROM samples WHERE campaign = $1", beyond));

        // Such a letter is UTF-8 beyond doubt: beside a Windows-1252 byte, the file is refused as mixed, not garbled.
        var mixed = Unique("MIXED");
        (status, body) = await UploadSamplesAsync(server.Editor(),
            [.. Encoding.UTF8.GetBytes("sample_id,matrix,latitude,longitude,Hg (mg/kg),notes\nB-3,soil,5.31,-1.95,0.5,≤ LQ\n"),
             .. Encoding.Latin1.GetBytes("B-4,soil,5.32,-1.96,0.7,rivière\n")], "mixed.csv", ("campaign", mixed));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.StartsWith("The file mixes two text encodings: line 2 is UTF-8, but line 3 holds byte 0xE8,", body["detail"]!.GetValue<string>());
        Assert.Equal(0L, await CountAsync(mixed));
    }

    /// <summary>
    /// A lone surrogate escape ("\udc00", half an emoji cut by a script) is valid JSON but not text: reading it threw, and
    /// the upload was a 500. The value is a row error naming its cell; in a property name, the file is refused naming it.
    /// </summary>
    [Fact]
    public async Task A_lone_surrogate_escape_in_geojson_is_a_row_error_or_names_the_property()
    {
        var campaign = Unique("SURR");
        const string good = """{"type":"Feature","geometry":{"type":"Point","coordinates":[-1.9,5.3]},"properties":{"sample_id":"U1","matrix":"soil","value":1,"unit":"mg/kg","notes":"fine"}}""";
        const string bad = """{"type":"Feature","geometry":{"type":"Point","coordinates":[-1.9,5.3]},"properties":{"sample_id":"U2","matrix":"soil","value":1,"unit":"mg/kg","notes":"bad \udc00"}}""";
        var (status, body) = await UploadSamplesAsync(server.Editor(),
            Encoding.UTF8.GetBytes($$"""{"type":"FeatureCollection","features":[{{good}},{{bad}}]}"""), "s.geojson", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(["2|notes|\"bad \\udc00\"||holds an invalid Unicode escape (a lone surrogate such as \\ud800), which is not text; fix the value."],
            Lines(body, "errors"));
        Assert.Equal(0L, await CountAsync(campaign));

        var named = bad.Replace("\"notes\"", "\"no\\ud800tes\"");
        (status, body) = await UploadSamplesAsync(server.Editor(),
            Encoding.UTF8.GetBytes($$"""{"type":"FeatureCollection","features":[{{good}},{{named}}]}"""), "n.geojson", ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("Invalid property name", body["title"]!.GetValue<string>());
        Assert.StartsWith("Feature 2 has a property name holding an invalid Unicode escape", body["detail"]!.GetValue<string>());
    }

    /// <summary>Every JSON number was read as a double: a lab's 17-digit sample number (GeoJSON, or an Integer64 field of a
    /// GeoPackage, which GDAL writes as JSON) was stored as 20240305001234570.</summary>
    [Fact]
    public async Task Integers_longer_than_a_double_holds_keep_their_digits()
    {
        var campaign = Unique("LONGID");
        var feature = """{"type":"Feature","geometry":{"type":"Point","coordinates":[-1.9,5.3]},"properties":{"sample_no":20240305001234567,"matrix":"soil","value":1,"unit":"mg/kg"}}""";
        var geojson = Path.Combine(Folder(), "long.geojson");
        File.WriteAllText(geojson, $$"""{"type":"FeatureCollection","features":[{{feature}}]}""");
        var (status, body) = await UploadSamplesAsync(server.Editor(), File.ReadAllBytes(geojson), "long.geojson",
            ("campaign", campaign), ("mapping", """{"external_id":"sample_no"}"""));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("20240305001234567", await server.Database.ScalarAsync<string>("SELECT external_id FROM samples WHERE campaign = $1", campaign));

        var gpkgCampaign = Unique("LONGGPKG");
        var gpkg = Path.Combine(Folder(), "long.gpkg");
        Ogr2Ogr("-f", "GPKG", gpkg, geojson, "-nln", "samples");
        var response = await PostAsync(server.Editor(), gpkg, ("target", "samples"), ("campaign", gpkgCampaign), ("mapping", """{"external_id":"sample_no"}"""));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal("20240305001234567", await server.Database.ScalarAsync<string>("SELECT external_id FROM samples WHERE campaign = $1", gpkgCampaign));
    }

    /// <summary>A workbook with the 1904 date system (Excel for Mac before 2011) had every date read 1,462 days early.</summary>
    [Fact]
    public async Task Dates_of_a_1904_workbook_are_counted_from_1904()
    {
        var folder = Folder();
        var campaign = Unique("MAC");
        var path = Path.Combine(folder, "mac.xlsx");
        MiniExcel.SaveAs(path, new[]
        {
            new Dictionary<string, object> { ["sample_id"] = "M-1", ["matrix"] = "soil", ["latitude"] = 5.31, ["longitude"] = -1.95, ["Hg (mg/kg)"] = 0.5, ["date"] = new DateTime(2020, 5, 1) },
        });
        var plain = await UploadSamplesAsync(server.Editor(), File.ReadAllBytes(path), "plain.xlsx", ("campaign", campaign), ("mode", "dry-run"));
        Assert.Equal("2020-05-01T00:00:00Z", plain.Body["preview"]!["features"]![0]!["properties"]!["sampled_at"]!.GetValue<string>());

        // The same serial number in a 1904 workbook: Excel shows it 1,462 days later.
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = archive.GetEntry("xl/workbook.xml")!;
            string xml;
            using (var reader = new StreamReader(entry.Open())) xml = reader.ReadToEnd();
            var withPr = System.Text.RegularExpressions.Regex.Replace(xml, "<workbookPr[^>]*/>", "");
            var marked = System.Text.RegularExpressions.Regex.Replace(withPr, "(<(?:x:)?sheets)", m => (m.Value.StartsWith("<x:") ? "<x:workbookPr date1904=\"1\"/>" : "<workbookPr date1904=\"1\"/>") + m.Value);
            Assert.Contains("date1904", marked);
            entry.Delete();
            using var writer = new StreamWriter(archive.CreateEntry("xl/workbook.xml").Open());
            writer.Write(marked);
        }
        var (status, body) = await UploadSamplesAsync(server.Editor(), File.ReadAllBytes(path), "mac.xlsx", ("campaign", campaign));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("2024-05-02", await server.Database.ScalarAsync<string>("SELECT sampled_at::date::text FROM samples WHERE campaign = $1", campaign));
    }

    /// <summary>Scripts and exports write formulas without their results; MiniExcel reads such a cell as empty, and a
    /// computed Hg value was reported only as "value is required".</summary>
    [Fact]
    public async Task A_formula_without_a_computed_value_is_a_row_error_naming_the_formula()
    {
        var path = Path.Combine(Folder(), "formulas.xlsx");
        MiniExcel.SaveAs(path, Enumerable.Range(2, 4).Select(row => new Dictionary<string, object>
        {
            ["sample_id"] = $"F-{row}", ["matrix"] = "soil", ["latitude"] = 5.31, ["longitude"] = -1.95, ["Hg (mg/kg)"] = 0.5, ["notes"] = "n",
        }));
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = archive.GetEntry("xl/worksheets/sheet1.xml")!;
            string xml;
            using (var reader = new StreamReader(entry.Open())) xml = reader.ReadToEnd();
            foreach (var (cell, content) in new[] { ("E3", "<x:f>D3*1000</x:f>"), ("F4", "<x:f>A4</x:f>"), ("C4", "<x:f>C3+0.01</x:f>"), ("E5", "<x:f>0.2*2</x:f><x:v>0.4</x:v>") })
            {
                var replaced = System.Text.RegularExpressions.Regex.Replace(xml, $"<x:c r=\"{cell}\"[^>]*>.*?</x:c>", $"<x:c r=\"{cell}\">{content}</x:c>");
                Assert.NotEqual(xml, replaced);
                xml = replaced;
            }
            entry.Delete();
            using var writer = new StreamWriter(archive.CreateEntry("xl/worksheets/sheet1.xml").Open());
            writer.Write(xml);
        }
        var campaign = Unique("FORMULA");
        var (status, body) = await UploadSamplesAsync(server.Editor(), File.ReadAllBytes(path), "formulas.xlsx", ("campaign", campaign), ("on_error", "skip-invalid"));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        const string reason = "is a formula without a computed value: the workbook was saved without its formulas' results (by a script or an export). " +
                              "Open it in Excel or LibreOffice and save it again, so the values are stored, or paste the values over the formulas.";
        Assert.Equal(
        [
            $"3|Hg (mg/kg)|=D3*1000|value|{reason}",
            $"4|notes|=A4|notes|{reason}",
            $"4|latitude|=C3+0.01|geometry|{reason}",
        ], Lines(body, "errors"));
        Assert.Equal("F-2 0.5; F-5 0.4", await server.Database.ScalarAsync<string>(
            "SELECT string_agg(concat_ws(' ', external_id, value), '; ' ORDER BY external_id) FROM samples WHERE campaign = $1", campaign));
    }
}
