using System.IO.Compression;
using System.Text;

namespace NapGeo.Uploads;

/// <summary>
/// Checks a file before any reader sees it: its format, zip limits (entry count, expanded size and ratio: zip bombs;
/// entry paths that escape the folder: zip slip; truncated archives) and XML without DOCTYPE/ENTITY declarations (XXE).
/// </summary>
public static class FileGuards
{
    public static readonly string[] Formats = ["csv", "xlsx", "geojson", "kml", "kmz", "gpx", "shapefile", "gpkg"];

    /// <summary>The format from the name, else from the first bytes.</summary>
    public static string DetectFormat(string path, string fileName)
    {
        var extension = System.IO.Path.GetExtension(fileName).ToLowerInvariant();
        var byName = extension switch
        {
            ".csv" or ".txt" or ".tsv" => "csv",
            ".xlsx" => "xlsx",
            ".geojson" or ".json" => "geojson",
            ".kml" => "kml",
            ".kmz" => "kmz",
            ".gpx" => "gpx",
            ".gpkg" => "gpkg",
            ".zip" => "shapefile",
            _ => null,
        };
        if (byName is not null) return byName;
        Span<byte> head = stackalloc byte[16];
        using (var stream = File.OpenRead(path)) head = head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        if (head.StartsWith("SQLite format 3"u8)) return "gpkg";
        if (head.StartsWith("PK"u8))
            throw new UploadFileException(415, "Unknown format",
                $"'{fileName}' is a zip archive: name it .zip (zipped Shapefile), .kmz or .xlsx, or send format=.");
        throw new UploadFileException(415, "Unknown format",
            $"Cannot tell the format of '{fileName}'; use a file name ending in .csv, .xlsx, .geojson, .kml, .kmz, .gpx, .zip (Shapefile) or .gpkg, or send format=.");
    }

    /// <summary>
    /// Checks a zip against the limits and extracts it into <paramref name="folder"/>, or just checks it when the folder is null.
    /// Sizes are counted while inflating, so a header that lies about its size does not help a bomb.
    /// </summary>
    public static void CheckZip(string path, string label, UploadOptions limits, string? folder)
    {
        ZipArchive archive;
        try { archive = ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw Broken(label, e); }
        using (archive)
        {
            if (archive.Entries.Count > limits.MaxZipEntries)
                throw new UploadFileException(422, "Too many entries",
                    $"The {label} has {archive.Entries.Count} entries; at most {limits.MaxZipEntries} are accepted.");
            long total = 0;
            var root = folder is null ? null : System.IO.Path.GetFullPath(folder) + System.IO.Path.DirectorySeparatorChar;
            var buffer = new byte[81920];
            foreach (var entry in archive.Entries)
            {
                var name = entry.FullName.Replace('\\', '/');
                if (name.StartsWith('/') || name.Split('/').Contains("..") || name.Contains(':'))
                    throw new UploadFileException(422, "Unsafe zip entry",
                        $"The {label} has an entry '{entry.FullName}' whose path leaves the archive's folder (zip slip); it was not extracted.");
                if (name.EndsWith('/')) continue;
                string? target = null;
                if (root is not null)
                {
                    target = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, name));
                    if (!target.StartsWith(root, StringComparison.Ordinal))
                        throw new UploadFileException(422, "Unsafe zip entry", $"The {label} has an entry '{entry.FullName}' whose path leaves the archive's folder (zip slip).");
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
                }
                long entryBytes = 0;
                try
                {
                    using var input = entry.Open();
                    using var output = target is null ? Stream.Null : File.Create(target);
                    int read;
                    while ((read = input.Read(buffer)) > 0)
                    {
                        entryBytes += read;
                        total += read;
                        if (total > limits.MaxExpandedBytes)
                            throw new UploadFileException(422, "Zip expands too much",
                                $"The {label} expands to more than {limits.MaxExpandedBytes} bytes (zip bomb?); the limit is NapGeo:Uploads:MaxExpandedBytes.");
                        if (entryBytes > 1024 * 1024 && entryBytes > (long)limits.MaxCompressionRatio * Math.Max(entry.CompressedLength, 1))
                            throw new UploadFileException(422, "Zip expands too much",
                                $"The entry '{entry.FullName}' of the {label} expands more than {limits.MaxCompressionRatio} times its compressed size (zip bomb?).");
                        output.Write(buffer, 0, read);
                    }
                }
                catch (InvalidDataException e) { throw Broken(label, e); }
                catch (EndOfStreamException e) { throw Broken(label, e); }
            }
        }
    }

    private static UploadFileException Broken(string label, Exception e) =>
        new(422, "Broken zip", $"The {label} is damaged or truncated and cannot be read ({e.Message}). Upload it again.");

    /// <summary>Refuses XML with a DOCTYPE or ENTITY declaration: no KML, GPX or spreadsheet part needs one, and they carry XXE attacks.</summary>
    public static void CheckXml(Stream xml, string label)
    {
        // Declarations must come before the root element, so the head of the document is enough... but an
        // XLSX part may be large and attackers can pad; scan everything in chunks, keeping an overlap for split tokens.
        var buffer = new byte[65536];
        var read = xml.ReadAtLeast(buffer, 4, throwOnEndOfStream: false);
        var encoding = ScanEncoding(buffer.AsSpan(0, read));
        var decoder = encoding.GetDecoder();
        var chars = new char[encoding.GetMaxCharCount(buffer.Length)];
        var carry = "";
        while (read > 0)
        {
            var text = carry + new string(chars, 0, decoder.GetChars(buffer, 0, read, chars, 0));
            if (text.Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase) || text.Contains("<!ENTITY", StringComparison.OrdinalIgnoreCase))
                throw new UploadFileException(422, "XML declarations refused",
                    $"The {label} contains a DOCTYPE or ENTITY declaration; such XML is refused (external entities could read server files). Export the file again without it.");
            carry = text.Length > 16 ? text[^16..] : text;
            read = xml.Read(buffer);
        }
    }

    /// <summary>
    /// How to read XML for the scan, from its first bytes (XML 1.0, appendix F). UTF-16 and UTF-32, which GDAL reads too,
    /// show by their byte order mark or by how "&lt;" is encoded; read as single bytes, their declarations would slip
    /// through. Every other encoding is ASCII-compatible and the markup looked for is ASCII, so Latin-1 (any byte is a
    /// character) finds it whatever the document's own encoding.
    /// </summary>
    private static Encoding ScanEncoding(ReadOnlySpan<byte> head) => head switch
    {
        [0xFF, 0xFE, 0, 0, ..] or [0x3C, 0, 0, 0, ..] => new UTF32Encoding(bigEndian: false, byteOrderMark: false),
        [0, 0, 0xFE, 0xFF, ..] or [0, 0, 0, 0x3C, ..] => new UTF32Encoding(bigEndian: true, byteOrderMark: false),
        [0xFF, 0xFE, ..] or [0x3C, 0, ..] => Encoding.Unicode,
        [0xFE, 0xFF, ..] or [0, 0x3C, ..] => Encoding.BigEndianUnicode,
        _ => Encoding.Latin1,
    };

    /// <summary>Checks every XML part of a zip (XLSX, KMZ) for declarations.</summary>
    public static void CheckZipXml(string path, string label)
    {
        using var archive = ZipFile.OpenRead(path);
        foreach (var entry in archive.Entries)
        {
            if (!entry.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) &&
                !entry.FullName.EndsWith(".rels", StringComparison.OrdinalIgnoreCase) &&
                !entry.FullName.EndsWith(".kml", StringComparison.OrdinalIgnoreCase)) continue;
            using var stream = entry.Open();
            CheckXml(stream, $"{label} (part {entry.FullName})");
        }
    }
}
