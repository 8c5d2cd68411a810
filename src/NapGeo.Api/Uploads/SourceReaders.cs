using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MiniExcelLibs;
using nietras.SeparatedValues;

namespace NapGeo.Uploads;

/// <summary>One row of a table or one feature: values aligned with <see cref="SourceData.Columns"/>, and a geometry for feature formats.</summary>
public sealed record SourceRecord(int Row, object?[] Values, JsonElement? Geometry);

/// <summary>What a reader found in a file: its columns, how many rows, and the rows themselves (streamed).</summary>
public sealed class SourceData(IReadOnlyList<string> columns, int total, IEnumerable<SourceRecord> records, IDisposable? owner = null) : IDisposable
{
    public IReadOnlyList<string> Columns { get; } = columns;
    public int Total { get; } = total;
    public IEnumerable<SourceRecord> Records { get; } = records;
    /// <summary>Features carry their own geometry (GeoJSON and the GDAL formats); tables have coordinate columns.</summary>
    public bool HasGeometry { get; init; }
    /// <summary>The CRS the geometries are in, when the file says (GDAL output is always EPSG:4326).</summary>
    public string? Crs { get; init; }
    /// <summary>GDAL has already reprojected the geometries (from the file's CRS, or from crs= as -s_srs) to <see cref="Crs"/>.</summary>
    public bool Reprojected { get; init; }
    public string? Note { get; init; }
    public void Dispose() => owner?.Dispose();
}

/// <summary>
/// Readers for each format, all with well-kept libraries: Sep (CSV), MiniExcel (XLSX), System.Text.Json and NetTopologySuite
/// (GeoJSON, through FeatureInput), and Debian's GDAL (ogr2ogr) for KML/KMZ, GPX, Shapefile and GeoPackage.
/// </summary>
public static partial class SourceReaders
{
    public static SourceData Open(string format, string path, string workFolder, string? crs, UploadOptions limits) => format switch
    {
        "csv" => Csv(path, limits),
        "xlsx" => Xlsx(path, limits),
        "geojson" => GeoJson(path, limits),
        "kml" or "gpx" => Gdal(CheckedXml(path, format), format, crs, workFolder, limits),
        "kmz" => Gdal(CheckedKmz(path, limits), format, crs, workFolder, limits),
        "gpkg" => Gdal(path, format, crs, workFolder, limits),
        "shapefile" => Gdal(ExtractShapefile(path, workFolder, limits), format, crs, workFolder, limits),
        _ => throw new UploadFileException(400, "Unknown format", $"format '{format}' is not one of: {string.Join(", ", FileGuards.Formats)}."),
    };

    // ------------------------------------------------------------------ CSV
    private static SourceData Csv(string path, UploadOptions limits)
    {
        var encoding = IsUtf8(path) ? new UTF8Encoding(false) : Encoding.Latin1;
        var total = 0;
        string[] header;
        char separator;
        using (var reader = CsvReader(path, encoding))
        {
            separator = reader.Spec.Sep.Separator;
            header = reader.MoveNext() ? Enumerable.Range(0, reader.Current.ColCount).Select(i => reader.Current[i].ToString().Trim()).ToArray() : [];
            while (reader.MoveNext())
                if (++total > limits.MaxRows) throw TooManyRows(limits);
        }
        if (header.Length == 0) throw new UploadFileException(422, "Empty file", "The CSV file has no header row.");
        return new SourceData(header, total, CsvRows(path, encoding, header.Length))
        {
            Note = $"CSV, {(encoding is UTF8Encoding ? "UTF-8" : "Latin-1")}, separator '{(separator == '\t' ? "\\t" : separator.ToString())}'",
        };
    }

    private static SepReader CsvReader(string path, Encoding encoding) =>
        Sep.Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true, Trim = SepTrim.Outer })
            .From(new StreamReader(path, encoding, detectEncodingFromByteOrderMarks: true));

    private static IEnumerable<SourceRecord> CsvRows(string path, Encoding encoding, int width)
    {
        using var reader = CsvReader(path, encoding);
        if (!reader.MoveNext()) yield break;
        var row = 1;
        while (reader.MoveNext())
        {
            row++;
            var current = reader.Current;
            var values = new object?[width];
            for (var i = 0; i < width && i < current.ColCount; i++)
            {
                var span = current[i].Span;
                values[i] = span.IsEmpty ? null : span.ToString();
            }
            yield return new SourceRecord(row, values, null);
        }
    }

    /// <summary>Field teams' spreadsheets are UTF-8 or, from older Excel, Latin-1; a strict decode tells them apart.</summary>
    private static bool IsUtf8(string path)
    {
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        var bytes = new byte[65536];
        var chars = new char[65536 + 4];
        using var stream = File.OpenRead(path);
        int read;
        try
        {
            while ((read = stream.Read(bytes)) > 0) decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
            decoder.GetChars([], 0, 0, chars, 0, flush: true);
            return true;
        }
        catch (DecoderFallbackException) { return false; }
    }

    // ------------------------------------------------------------------ XLSX
    private static SourceData Xlsx(string path, UploadOptions limits)
    {
        FileGuards.CheckZip(path, "spreadsheet", limits, null);
        FileGuards.CheckZipXml(path, "spreadsheet");
        List<string> header;
        var total = 0;
        try
        {
            using var first = XlsxRows(path).GetEnumerator();
            if (!first.MoveNext()) throw new UploadFileException(422, "Empty file", "The spreadsheet's first sheet is empty.");
            header = first.Current.Values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)?.Trim() ?? "").ToList();
            while (first.MoveNext())
                if (++total > limits.MaxRows) throw TooManyRows(limits);
        }
        catch (Exception e) when (e is not UploadFileException)
        {
            throw new UploadFileException(422, "Unreadable spreadsheet", $"The XLSX file could not be read: {e.Message}");
        }
        var width = header.Count;
        return new SourceData(header, total, XlsxRecords(path, width)) { Note = "XLSX, first sheet" };
    }

    private static IEnumerable<IDictionary<string, object?>> XlsxRows(string path) =>
        MiniExcel.Query(path, useHeaderRow: false, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>();

    private static IEnumerable<SourceRecord> XlsxRecords(string path, int width)
    {
        var row = 1;
        foreach (var cells in XlsxRows(path).Skip(1))
        {
            row++;
            var values = new object?[width];
            var i = 0;
            foreach (var value in cells.Values)
            {
                if (i >= width) break;
                values[i++] = value is string s && s.Trim().Length == 0 ? null : value;
            }
            if (values.All(v => v is null)) continue; // trailing formatted-but-empty rows
            yield return new SourceRecord(row, values, null);
        }
    }

    // ------------------------------------------------------------------ GeoJSON
    private static SourceData GeoJson(string path, UploadOptions limits)
    {
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e) { throw new UploadFileException(422, "Malformed GeoJSON", $"The GeoJSON file is not valid JSON: {e.Message}"); }
        var root = document.RootElement;
        var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        List<JsonElement> features = type switch
        {
            "FeatureCollection" when root.TryGetProperty("features", out var f) && f.ValueKind == JsonValueKind.Array => [.. f.EnumerateArray()],
            "Feature" => [root],
            _ => throw new UploadFileException(422, "Not GeoJSON features", "The file must be a GeoJSON FeatureCollection or Feature."),
        };
        if (features.Count > limits.MaxRows) { document.Dispose(); throw TooManyRows(limits); }
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var feature in features)
            if (feature.ValueKind == JsonValueKind.Object && feature.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
                foreach (var property in p.EnumerateObject())
                    if (seen.Add(property.Name)) columns.Add(property.Name);
        string? crs = null;
        if (root.TryGetProperty("crs", out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty("properties", out var cp) &&
            cp.ValueKind == JsonValueKind.Object && cp.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
            crs = n.GetString();
        return new SourceData(columns, features.Count, FeatureRecords(features, columns), document) { HasGeometry = true, Crs = crs, Note = "GeoJSON" };
    }

    private static IEnumerable<SourceRecord> FeatureRecords(IEnumerable<JsonElement> features, IReadOnlyList<string> columns)
    {
        var index = columns.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        var row = 0;
        foreach (var feature in features)
        {
            row++;
            var values = new object?[columns.Count];
            JsonElement? geometry = null;
            if (feature.ValueKind == JsonValueKind.Object)
            {
                if (feature.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
                    foreach (var property in p.EnumerateObject())
                        if (index.TryGetValue(property.Name, out var i)) values[i] = Scalar(property.Value);
                if (feature.TryGetProperty("geometry", out var g) && g.ValueKind != JsonValueKind.Null) geometry = g;
            }
            yield return new SourceRecord(row, values, geometry);
        }
    }

    private static object? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    // ------------------------------------------------------------------ GDAL formats
    private static string CheckedXml(string path, string format)
    {
        using (var stream = File.OpenRead(path)) FileGuards.CheckXml(stream, format.ToUpperInvariant() + " file");
        return path;
    }

    private static string CheckedKmz(string path, UploadOptions limits)
    {
        FileGuards.CheckZip(path, "KMZ archive", limits, null);
        FileGuards.CheckZipXml(path, "KMZ archive");
        return path;
    }

    private static string ExtractShapefile(string path, string workFolder, UploadOptions limits)
    {
        var folder = System.IO.Path.Combine(workFolder, "zip");
        Directory.CreateDirectory(folder);
        FileGuards.CheckZip(path, "zip archive", limits, folder);
        var shapefiles = Directory.GetFiles(folder, "*.shp", SearchOption.AllDirectories);
        if (shapefiles.Length == 0)
            throw new UploadFileException(422, "No Shapefile in the zip", "The zip archive holds no .shp file; zip the .shp with its .shx, .dbf and .prj.");
        if (shapefiles.Length > 1)
            throw new UploadFileException(422, "Several Shapefiles in the zip",
                $"The zip archive holds {shapefiles.Length} Shapefiles ({string.Join(", ", shapefiles.Select(System.IO.Path.GetFileName))}); upload one at a time.");
        return shapefiles[0];
    }

    /// <summary>
    /// Converts each layer to GeoJSON lines in EPSG:4326 with ogr2ogr, then reads those. GPX contributes its waypoints
    /// (tracks and routes are not samples). A source without a CRS needs <paramref name="crs"/> (-s_srs).
    /// </summary>
    private static SourceData Gdal(string path, string format, string? crs, string workFolder, UploadOptions limits)
    {
        var layers = format == "gpx" ? ["waypoints"] : ListLayers(path, limits);
        var outputs = new List<string>();
        foreach (var layer in layers)
        {
            var output = System.IO.Path.Combine(workFolder, $"layer{outputs.Count}.geojsonl");
            var args = new List<string> { "-f", "GeoJSONSeq", output, path, layer, "-t_srs", "EPSG:4326", "-lco", "COORDINATE_PRECISION=9" };
            if (crs is not null) args.InsertRange(0, ["-s_srs", crs]);
            var (code, _, error) = Run("ogr2ogr", args, limits);
            if (code != 0)
            {
                if (error.Contains("no coordinate system", StringComparison.OrdinalIgnoreCase) || error.Contains("source layer has no", StringComparison.OrdinalIgnoreCase))
                    throw new UploadFileException(422, "No CRS in the file",
                        "The file carries no coordinate reference system (a Shapefile without its .prj?); send crs=EPSG:<code>, e.g. EPSG:32630.");
                throw new UploadFileException(422, "Unreadable file", $"GDAL could not read the {format} file: {FirstLines(error)}");
            }
            outputs.Add(output);
        }
        var columns = new List<string>();
        var total = 0;
        foreach (var output in outputs)
            foreach (var line in File.ReadLines(output))
            {
                if (line.Length == 0) continue;
                if (++total > limits.MaxRows) throw TooManyRows(limits);
                if (total == 1 || columns.Count == 0 || output != outputs[0])
                {
                    using var first = JsonDocument.Parse(line);
                    if (first.RootElement.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
                        foreach (var property in p.EnumerateObject())
                            if (!columns.Contains(property.Name)) columns.Add(property.Name);
                }
            }
        return new SourceData(columns, total, GdalRecords(outputs, columns))
        {
            HasGeometry = true,
            Crs = "EPSG:4326",
            Reprojected = true,
            Note = $"{format} read with GDAL ({string.Join(", ", layers)})",
        };
    }

    private static IEnumerable<SourceRecord> GdalRecords(IEnumerable<string> outputs, IReadOnlyList<string> columns)
    {
        var row = 0;
        foreach (var output in outputs)
            foreach (var line in File.ReadLines(output))
            {
                if (line.Length == 0) continue;
                using var document = JsonDocument.Parse(line);
                foreach (var record in FeatureRecords([document.RootElement], columns))
                    yield return record with { Row = ++row, Geometry = record.Geometry?.Clone() };
            }
    }

    private static List<string> ListLayers(string path, UploadOptions limits)
    {
        var (code, output, error) = Run("ogrinfo", ["-ro", "-q", path], limits);
        if (code != 0) throw new UploadFileException(422, "Unreadable file", $"GDAL could not open the file: {FirstLines(error)}");
        var layers = new List<string>();
        foreach (var line in output.Split('\n'))
            if (LayerLine().Match(line.TrimEnd()) is { Success: true } m) layers.Add(m.Groups[1].Value);
        if (layers.Count == 0) throw new UploadFileException(422, "No layers", "GDAL found no layer with features in the file.");
        return layers;
    }

    [GeneratedRegex(@"^\d+: (.+?)(?: \([^()]*\))?$")]
    private static partial Regex LayerLine();

    private static (int Code, string Output, string Error) Run(string program, IEnumerable<string> args, UploadOptions limits)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["CPL_DEBUG"] = "OFF";
        start.Environment["GDAL_HTTP_TIMEOUT"] = "1";
        start.Environment["CPL_VSIL_CURL_ALLOWED_EXTENSIONS"] = "none"; // no network reads from inside a file
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new UploadFileException(503, "GDAL missing", $"{program} (Debian gdal-bin) is not installed on the server; ./napgeo installs it.");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(limits.GdalTimeoutSeconds)))
            {
                process.Kill(entireProcessTree: true);
                throw new UploadFileException(422, "File takes too long", $"{program} did not finish within {limits.GdalTimeoutSeconds} s.");
            }
            return (process.ExitCode, output.Result, error.Result);
        }
    }

    private static string FirstLines(string text) =>
        string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("Warning", StringComparison.Ordinal)).Take(3)).Trim();

    private static UploadFileException TooManyRows(UploadOptions limits) =>
        new(413, "Too many rows", $"The file has more than {limits.MaxRows} rows; split it (limit NapGeo:Uploads:MaxRows).");
}
