using System.Diagnostics;
using System.Text.Json;

namespace NapGeo.Uploads;

/// <summary>KML/KMZ, GPX, Shapefile and GeoPackage, read with Debian's GDAL (ogrinfo, ogr2ogr).</summary>
public static partial class SourceReaders
{
    /// <summary>
    /// The GDAL drivers a file of each format may be read with. GDAL picks a driver from a file's content, not its name:
    /// without this check a ".kml" that is really a GDAL VRT would be opened as one, and a VRT can read any file the
    /// server can (its rows then showed up in the upload's preview).
    /// </summary>
    private static readonly Dictionary<string, string[]> Drivers = new()
    {
        ["kml"] = ["LIBKML", "KML"],
        ["kmz"] = ["LIBKML", "KML"],
        ["gpx"] = ["GPX"],
        ["gpkg"] = ["GPKG"],
        ["shapefile"] = ["ESRI Shapefile"],
    };

    /// <summary>A layer of a GDAL source, whether it says its CRS, and whether it has geometries at all.</summary>
    private sealed record GdalLayer(string Name, bool HasCrs, bool HasGeometry = true);

    /// <summary>
    /// Converts each layer to GeoJSON lines in EPSG:4326 with ogr2ogr, then reads those. GPX contributes its waypoints
    /// (tracks and routes are not samples). <paramref name="crs"/> (-s_srs) applies only to layers that say no CRS.
    /// </summary>
    private static SourceData Gdal(string path, string format, string? crs, string workFolder, UploadOptions limits)
    {
        var found = Inspect(path, format, limits);
        // A GeoPackage's tables without geometry (QGIS saves its layer styles in one, "layer_styles") are not features:
        // read, each row failed as "no geometry" and the whole file was refused. Skipped, and said so, beside spatial layers.
        var skipped = found.Any(l => l.HasGeometry) ? found.Where(l => !l.HasGeometry).Select(l => l.Name).ToList() : [];
        var layers = format == "gpx" ? [new GdalLayer("waypoints", true)] : found.Where(l => !skipped.Contains(l.Name)).ToList();
        var outputs = new List<string>();
        foreach (var layer in layers)
        {
            var output = System.IO.Path.Combine(workFolder, $"layer{outputs.Count}.geojsonl");
            var args = new List<string> { "-f", "GeoJSONSeq", output, path, layer.Name, "-t_srs", "EPSG:4326", "-lco", "COORDINATE_PRECISION=9" };
            if (crs is not null && !layer.HasCrs) args.InsertRange(0, ["-s_srs", crs]);
            var (code, _, error) = Run("ogr2ogr", args, limits);
            if (code != 0)
            {
                if (error.Contains("no coordinate system", StringComparison.OrdinalIgnoreCase) || error.Contains("source layer has no", StringComparison.OrdinalIgnoreCase))
                    throw new UploadFileException(422, "No CRS in the file",
                        "The file carries no coordinate reference system (a Shapefile without its .prj?); send crs=EPSG:<code>, e.g. EPSG:32630.");
                throw new UploadFileException(422, "Unreadable file", $"GDAL could not read the {format} file: {FirstLines(error, workFolder)}");
            }
            outputs.Add(output);
        }
        // Every feature's properties, not the first one's: KML and GPX leave out what a placemark or waypoint lacks.
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var total = 0;
        var ranges = new List<string>();
        foreach (var (output, layer) in outputs.Zip(layers))
        {
            var first = total + 1;
            foreach (var line in File.ReadLines(output))
            {
                if (line.Length == 0) continue;
                if (++total > limits.MaxRows) throw TooManyRows(limits);
                using var feature = JsonDocument.Parse(line);
                if (feature.RootElement.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
                    foreach (var property in p.EnumerateObject())
                        if (seen.Add(property.Name)) columns.Add(property.Name);
            }
            ranges.Add(total >= first ? $"'{layer.Name}' rows {first}–{total}" : $"'{layer.Name}' no rows");
        }
        ranges.AddRange(skipped.Select(name => $"'{name}' not read (a table without geometry)"));
        return new SourceData(columns, total, GdalRecords(outputs, columns))
        {
            LayerRows = ranges.Count > 1 ? string.Join(", ", ranges) : null,
            HasGeometry = true,
            Crs = "EPSG:4326",
            Reprojected = true,
            Note = $"{format} read with GDAL ({string.Join(", ", layers.Select(l => l.Name))})",
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

    /// <summary>
    /// The driver GDAL opens the file with (refused unless it is the format's), and the file's layers with their CRS.
    /// Names come from the summary's "Layer name:" lines, which keep parentheses ("Samples (dry season)"); only those
    /// also in the numbered list count, so a field called "Layer name" is not taken for a layer.
    /// </summary>
    private static List<GdalLayer> Inspect(string path, string format, UploadOptions limits)
    {
        var (code, summary, error) = Run("ogrinfo", ["-ro", "-so", "-al", "-nocount", "-noextent", path], limits);
        if (code != 0) throw new UploadFileException(422, "Unreadable file", $"GDAL could not open the {format} file: {FirstLines(error, path)}");
        var driver = DriverLine().Match(summary + error) is { Success: true } d ? d.Groups[1].Value : null;
        if (driver is null || !Drivers[format].Contains(driver))
            throw new UploadFileException(422, "Not a " + format.ToUpperInvariant() + " file",
                $"The file is not read as {format.ToUpperInvariant()} but as {driver ?? "an unknown format"}; send a real {format.ToUpperInvariant()} file or pick its format.");
        var (_, list, _) = Run("ogrinfo", ["-ro", path], limits);
        var numbered = list.Split('\n').Select(l => NumberedLayerLine().Match(l.TrimEnd())).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        var layers = new List<GdalLayer>();
        var lines = summary.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("Layer name: ", StringComparison.Ordinal)) continue;
            var name = lines[i]["Layer name: ".Length..].TrimEnd();
            if (!numbered.Any(n => n == name || n.StartsWith(name + " (", StringComparison.Ordinal))) continue;
            // ogr2ogr would read a layer called "-sql" as an option, and it has no "--" to end them.
            if (name.StartsWith('-'))
                throw new UploadFileException(422, "Unsupported layer name", $"The layer '{name}' starts with '-', which GDAL's tools would read as an option; rename it.");
            var (hasCrs, hasGeometry) = (false, true);
            for (var j = i + 1; j < lines.Length && !lines[j].StartsWith("Layer name: ", StringComparison.Ordinal); j++)
            {
                if (lines[j].StartsWith("Layer SRS WKT:", StringComparison.Ordinal) && j + 1 < lines.Length && lines[j + 1].Trim() != "(unknown)") hasCrs = true;
                if (lines[j].TrimEnd() == "Geometry: None") hasGeometry = false;
            }
            layers.Add(new GdalLayer(name, hasCrs, hasGeometry));
        }
        if (layers.Count == 0) throw new UploadFileException(422, "No layers", "GDAL found no layer with features in the file.");
        return layers;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"using driver `([^']+)' successful")]
    private static partial System.Text.RegularExpressions.Regex DriverLine();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d+: (.+)$")]
    private static partial System.Text.RegularExpressions.Regex NumberedLayerLine();

    private static (int Code, string Output, string Error) Run(string program, IEnumerable<string> args, UploadOptions limits)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["CPL_DEBUG"] = "OFF";
        start.Environment["GDAL_HTTP_TIMEOUT"] = "1";
        start.Environment["CPL_VSIL_CURL_ALLOWED_EXTENSIONS"] = "none"; // no network reads from inside a file
        start.Environment["GDAL_SKIP"] = "VRT OGR_VRT"; // besides the driver check: virtual datasets may point at any file
        // LIBKML otherwise launders ExtendedData names ("Hg (mg/kg)" → "Hg__mg_kg_"), losing the unit in the header.
        start.Environment["LIBKML_LAUNDER_FIELD_NAMES"] = "NO";
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

    /// <summary>GDAL's first messages, without warnings and without the server's work folder.</summary>
    private static string FirstLines(string text, string workPath)
    {
        var folder = Directory.Exists(workPath) ? workPath : System.IO.Path.GetDirectoryName(workPath) ?? workPath;
        return string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("Warning", StringComparison.Ordinal)).Take(3))
            .Replace(folder.TrimEnd('/') + "/", "").Trim();
    }
}
