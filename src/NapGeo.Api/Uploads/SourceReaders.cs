using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MiniExcelLibs;
using nietras.SeparatedValues;

namespace NapGeo.Uploads;

/// <summary>One row of a table or one feature: values aligned with <see cref="SourceData.Columns"/>, and a geometry for feature formats.</summary>
/// <param name="Problem">What the reader found wrong with the row itself (more fields than the header): a row error.</param>
public sealed record SourceRecord(int Row, object?[] Values, JsonElement? Geometry, UploadIssue? Problem = null);

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
    /// <summary>For a file of several layers (KML folders, GeoPackage tables), which rows came from which layer.</summary>
    public string? LayerRows { get; init; }
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
        var encoding = Utf8OrWindows1252(path);
        var total = 0;
        string[] header = [];
        char? separator = null;
        var row = 0;
        try
        {
            // Sep reads the first row to find the separator: a header past its row limit throws here already.
            using var reader = CsvReader(path, encoding);
            separator = reader.Spec.Sep.Separator;
            header = reader.MoveNext() ? Enumerable.Range(0, reader.Current.ColCount).Select(i => reader.Current[i].ToString().Trim()).ToArray() : [];
            row = 1;
            while (reader.MoveNext())
            {
                row++;
                if (IsBlank(reader.Current)) continue;
                CheckQuotes(reader.Current, row, header, separator.Value);
                if (++total > limits.MaxRows) throw TooManyRows(limits);
            }
        }
        catch (NotSupportedException)
        {
            throw PastRowLimit(path, encoding, separator, header, row + 1);
        }
        if (header.Length == 0) throw new UploadFileException(422, "Empty file", "The CSV file has no header row.");
        return new SourceData(header, total, CsvRows(path, encoding, header.Length))
        {
            Note = $"CSV, {(encoding is UTF8Encoding ? "UTF-8" : encoding.CodePage == 1252 ? "Windows-1252" : "UTF-16")}, separator '{(separator == '\t' ? "\\t" : separator.ToString())}'",
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
            if (IsBlank(current)) continue; // an empty line, or one of separators only, as spreadsheets leave at the end
            var values = new object?[width];
            for (var i = 0; i < width && i < current.ColCount; i++)
            {
                var span = current[i].Span;
                values[i] = span.IsEmpty ? null : span.ToString();
            }
            yield return new SourceRecord(row, values, null, ExtraFields(current, row, width));
        }
    }

    /// <summary>
    /// Fields past the header's last column. Empty ones are what Excel leaves ("…,,,") and mean nothing; a value there is
    /// usually a decimal comma that split a number in two ("0,35" unquoted → 0 and 35, and the row read 0 without a word).
    /// </summary>
    private static UploadIssue? ExtraFields(SepReader.Row current, int row, int width)
    {
        var last = current.ColCount - 1;
        while (last >= width && current[last].Span.IsWhiteSpace()) last--;
        if (last < width) return null;
        var extra = new List<string>();
        for (var i = width; i <= last; i++) extra.Add(current[i].ToString());
        return new UploadIssue(row, $"column {width + 1}", string.Join(", ", extra), null,
            $"row {row} has {last + 1} fields but the header has {width} (a decimal comma in a comma-separated file? quote the value).");
    }

    private static bool IsBlank(SepReader.Row row)
    {
        for (var i = 0; i < row.ColCount; i++)
            if (!row[i].Span.IsWhiteSpace()) return false;
        return true;
    }

    /// <summary>
    /// A stray quote (<c>core 6" deep</c>) opens a quoted value that runs on until the next quote, swallowing the rows
    /// between into one cell. A value holding a line break followed by a whole row's worth of separators is that, not a
    /// multi-line note: the file is refused, naming the row, rather than losing those rows without a word.
    /// </summary>
    private static void CheckQuotes(SepReader.Row current, int row, string[] header, char separator)
    {
        if (header.Length < 2) return;
        for (var i = 0; i < current.ColCount; i++)
        {
            var span = current[i].Span;
            var lineBreak = span.IndexOfAny('\n', '\r');
            if (lineBreak < 0 || span[lineBreak..].Count(separator) < header.Length - 1) continue;
            var column = i < header.Length ? $"column '{header[i]}'" : $"column {i + 1}";
            throw new UploadFileException(422, "Unclosed quote",
                $"Row {row}, {column}: the value runs over several lines that look like further rows — a quote opened by a stray \" (e.g. 6\" for inches) and closed rows later. " +
                "Write a quote inside a value as \"\" and put the value in quotes, or remove it.");
        }
    }

    // ------------------------------------------------------------------ XLSX
    private static SourceData Xlsx(string path, UploadOptions limits)
    {
        FileGuards.CheckZip(path, "spreadsheet", limits, null);
        FileGuards.CheckZipXml(path, "spreadsheet");
        List<string> header;
        Dictionary<(int Row, int Column), string> formulas;
        var total = 0;
        try
        {
            using var first = XlsxRows(path).GetEnumerator();
            if (!first.MoveNext()) throw new UploadFileException(422, "Empty file", "The spreadsheet's first sheet is empty.");
            header = first.Current.Values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)?.Trim() ?? "").ToList();
            // The sheet's width is its formatted range: columns right of the header that hold nothing are not columns.
            var lastWithValue = header.FindLastIndex(h => h.Length > 0);
            while (first.MoveNext())
            {
                if (++total > limits.MaxRows) throw TooManyRows(limits);
                var i = 0;
                foreach (var value in first.Current.Values)
                {
                    if (i > lastWithValue && value is not null && !(value is string s && s.Trim().Length == 0)) lastWithValue = i;
                    i++;
                }
            }
            header = header.Take(lastWithValue + 1).ToList();
            formulas = UncomputedFormulas(path);
        }
        catch (Exception e) when (e is not UploadFileException)
        {
            throw new UploadFileException(422, "Unreadable spreadsheet", $"The XLSX file could not be read: {e.Message}");
        }
        var width = header.Count;
        var date1904 = UsesDate1904(path);
        return new SourceData(header, total, XlsxRecords(path, width, date1904, formulas)) { Note = "XLSX, first sheet" + (date1904 ? ", 1904 date system" : "") };
    }

    /// <summary>
    /// Whether the workbook counts its dates from 1904 (Excel for Mac before 2011, and workbooks descended from one). MiniExcel
    /// reads every date serial from 1900, so such a workbook's dates came out 1,462 days (four years and a day) early.
    /// </summary>
    private static bool UsesDate1904(string path)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(path);
        if (archive.GetEntry("xl/workbook.xml") is not { } entry) return false;
        using var reader = System.Xml.XmlReader.Create(entry.Open(), new System.Xml.XmlReaderSettings { DtdProcessing = System.Xml.DtdProcessing.Prohibit });
        while (reader.Read())
            if (reader.NodeType == System.Xml.XmlNodeType.Element && reader.LocalName == "workbookPr")
                return reader.GetAttribute("date1904") is "1" or "true";
        return false;
    }

    private static IEnumerable<IDictionary<string, object?>> XlsxRows(string path) =>
        MiniExcel.Query(path, useHeaderRow: false, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>();

    private static IEnumerable<SourceRecord> XlsxRecords(string path, int width, bool date1904, Dictionary<(int Row, int Column), string> formulas)
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
                values[i] = value switch
                {
                    null when formulas.TryGetValue((row, i), out var formula) => new UncomputedFormula(formula),
                    string s when s.Trim().Length == 0 => null,
                    DateTime date when date1904 => date.AddDays(1462),
                    _ => value,
                };
                i++;
            }
            if (values.All(v => v is null)) continue; // trailing formatted-but-empty rows
            yield return new SourceRecord(row, values, null);
        }
    }

    // ------------------------------------------------------------------ GeoJSON
    private static SourceData GeoJson(string path, UploadOptions limits)
    {
        // JSON is UTF-8 (RFC 8259); a Latin-1 byte inside a string would otherwise only fail when the value is read.
        if (!IsUtf8(path))
            throw new UploadFileException(422, "Not UTF-8", "The GeoJSON file is not UTF-8 text (RFC 8259); save it as UTF-8.");
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
        var row = 0;
        foreach (var feature in features)
        {
            row++;
            if (feature.ValueKind == JsonValueKind.Object && feature.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
                foreach (var property in p.EnumerateObject())
                {
                    // A lone surrogate escape ("\ud800") is valid JSON but not text: reading the name throws.
                    if (!TryName(property, out var name))
                        throw new UploadFileException(422, "Invalid property name",
                            $"Feature {row.ToString(System.Globalization.CultureInfo.InvariantCulture)} has a property name holding an invalid Unicode escape " +
                            $"(a lone surrogate such as \\ud800): {RowConverter.Shorten(property.ToString())}. Fix the name.");
                    if (seen.Add(name)) columns.Add(name);
                }
        }
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
            UploadIssue? problem = null;
            if (feature.ValueKind == JsonValueKind.Object)
            {
                if (feature.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
                    foreach (var property in p.EnumerateObject())
                    {
                        if (!index.TryGetValue(property.Name, out var i)) continue;
                        try { values[i] = Scalar(property.Value); }
                        catch (InvalidOperationException)
                        {
                            // A lone surrogate escape in a string: valid JSON, not text. The row is refused, naming the cell.
                            problem ??= new UploadIssue(row, property.Name, RowConverter.Shorten(property.Value.GetRawText()), null,
                                "holds an invalid Unicode escape (a lone surrogate such as \\ud800), which is not text; fix the value.");
                        }
                    }
                if (feature.TryGetProperty("geometry", out var g) && g.ValueKind != JsonValueKind.Null) geometry = g;
            }
            yield return new SourceRecord(row, values, geometry, problem);
        }
    }

    private static bool TryName(JsonProperty property, out string name)
    {
        try { name = property.Name; return true; }
        catch (InvalidOperationException) { name = ""; return false; }
    }

    private static object? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
        // An integer beyond double's 15–16 exact digits (a lab's sample number, 20240305001234567) keeps its digits as text;
        // read as a double it was stored as 20240305001234570. Number fields still parse the text.
        JsonValueKind.Number when value.GetRawText() is var raw && raw.TrimStart('-').Length > 15 && raw.TrimStart('-').All(char.IsAsciiDigit) => raw,
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
        // macOS's zip adds __MACOSX/ and ._name resource forks beside the real files; extensions come in either case.
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/__MACOSX/", StringComparison.Ordinal) && !System.IO.Path.GetFileName(f).StartsWith("._", StringComparison.Ordinal))
            .ToList();
        var shapefiles = files.Where(f => f.EndsWith(".shp", StringComparison.OrdinalIgnoreCase)).ToList();
        if (shapefiles.Count == 0)
            throw new UploadFileException(422, "No Shapefile in the zip", "The zip archive holds no .shp file; zip the .shp with its .shx, .dbf and .prj.");
        if (shapefiles.Count > 1)
            throw new UploadFileException(422, "Several Shapefiles in the zip",
                $"The zip archive holds {shapefiles.Count} Shapefiles ({string.Join(", ", shapefiles.Select(System.IO.Path.GetFileName))}); upload one at a time.");
        var shp = shapefiles[0];
        var missing = new[] { ".shx", ".dbf" }.Where(extension => !files.Any(f =>
            string.Equals(f, System.IO.Path.ChangeExtension(shp, extension), StringComparison.OrdinalIgnoreCase))).ToList();
        if (missing.Count > 0)
            throw new UploadFileException(422, "Incomplete Shapefile",
                $"The zip archive holds {System.IO.Path.GetFileName(shp)} without its {string.Join(" and ", missing)} (the {(missing.Contains(".dbf") ? "attributes" : "index")}); zip all of the Shapefile's files.");
        // Windows treats Samples.shp, samples.dbf and SAMPLES.prj as one Shapefile; GDAL, on a case-sensitive file system,
        // looks for the .shp's own name and found neither: the .prj went unread and every attribute was empty.
        var stem = System.IO.Path.GetFileNameWithoutExtension(shp);
        foreach (var file in files)
        {
            var name = System.IO.Path.GetFileNameWithoutExtension(file);
            if (file == shp || name == stem || !string.Equals(name, stem, StringComparison.OrdinalIgnoreCase) ||
                System.IO.Path.GetDirectoryName(file) != System.IO.Path.GetDirectoryName(shp)) continue;
            var target = System.IO.Path.ChangeExtension(shp, System.IO.Path.GetExtension(file).ToLowerInvariant());
            if (File.Exists(target))
                throw new UploadFileException(422, "Ambiguous Shapefile",
                    $"The zip archive holds both {System.IO.Path.GetFileName(file)} and {System.IO.Path.GetFileName(target)} for {System.IO.Path.GetFileName(shp)}; keep one.");
            File.Move(file, target);
        }
        return shp;
    }

    private static UploadFileException TooManyRows(UploadOptions limits) =>
        new(413, "Too many rows", $"The file has more than {limits.MaxRows} rows; split it (limit NapGeo:Uploads:MaxRows).");
}
