using System.Text;

namespace NapGeo.Uploads;

/// <summary>Which text encoding a CSV file is in: UTF-8, or Windows-1252 from older Excel; never a mix of the two.</summary>
public static partial class SourceReaders
{
    /// <summary>
    /// What Excel on Windows writes for "CSV" in western locales. Latin-1 reads the same letters (é, ç) but turns Word's
    /// quotes and dashes (’ – “ ”, 0x80–0x9F) into control characters. The code pages ship in the shared framework.
    /// </summary>
    private static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    /// <summary>
    /// Field teams' spreadsheets are UTF-8 or, from older Excel, Windows-1252; a strict decode tells them apart. A file
    /// with both (rows typed on one machine, then added on another) would read one part wrong whichever is chosen, so it
    /// is refused, naming a line of each.
    /// </summary>
    private static Encoding Utf8OrWindows1252(string path)
    {
        var start = new byte[4096];
        int length;
        using (var file = File.OpenRead(path)) length = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        // UTF-16 says so with its byte order mark (the reader follows it); its bytes are neither UTF-8 nor Windows-1252.
        if (start is [0xFF, 0xFE, ..] && length >= 2) return Encoding.Unicode;
        if (start is [0xFE, 0xFF, ..] && length >= 2) return Encoding.BigEndianUnicode;
        if (Utf16WithoutMark(start.AsSpan(0, length)) is { } utf16) return utf16;
        var scan = ScanUtf8(path);
        if (scan.FirstInvalidLine is not { } invalid) return new UTF8Encoding(false);
        if (scan.FirstUtf8Line is { } utf8)
            throw new UploadFileException(422, "Mixed text encodings",
                $"The file mixes two text encodings: line {utf8.ToString(System.Globalization.CultureInfo.InvariantCulture)} is UTF-8, but line " +
                $"{invalid.ToString(System.Globalization.CultureInfo.InvariantCulture)} holds byte 0x{scan.InvalidByte:X2}, which UTF-8 text cannot " +
                "(a letter saved by an older program as Windows-1252?). Read either way, one part's accented letters would be stored wrong: " +
                "retype that line's letters and save the file as UTF-8.");
        return Windows1252;
    }

    /// <summary>
    /// UTF-16 without its byte order mark (some exports, and PowerShell's Out-File): every letter of a CSV's header and
    /// numbers has a NUL byte beside it, on the same side throughout. Read as UTF-8 it was "NUL in a header … remove it",
    /// which sent the sender hunting for one character. The bytes tell the byte order as surely as the mark would, so
    /// the file is read as UTF-16; a stray NUL in UTF-8 text is far from every other byte.
    /// </summary>
    private static Encoding? Utf16WithoutMark(ReadOnlySpan<byte> start)
    {
        var pairs = start.Length / 2;
        if (pairs < 2) return null;
        int even = 0, odd = 0;
        for (var i = 0; i < pairs * 2; i += 2)
        {
            if (start[i] == 0) even++;
            if (start[i + 1] == 0) odd++;
        }
        if (odd * 10 >= pairs * 4 && even * 50 <= pairs) return new UnicodeEncoding(bigEndian: false, byteOrderMark: false);
        if (even * 10 >= pairs * 4 && odd * 50 <= pairs) return new UnicodeEncoding(bigEndian: true, byteOrderMark: false);
        return null;
    }

    private static bool IsUtf8(string path) => ScanUtf8(path).FirstInvalidLine is null;

    /// <summary>The first line holding a byte UTF-8 cannot have (and that byte), and the first with a telling UTF-8 letter.</summary>
    private sealed record Utf8Scan(int? FirstInvalidLine, byte InvalidByte, int? FirstUtf8Line);

    /// <summary>
    /// Whether a valid UTF-8 sequence shows the text is UTF-8, rather than two Windows-1252 characters that happen to form
    /// one ("É”" in "CAFÉ”" is the bytes of ɔ). Latin-1's letters (é, ç, µ, °: lead byte C2 or C3) do: read as
    /// Windows-1252 they are "Ã©", which no one types. So does every longer sequence (’ ≤ ⁻ Ɔ… and the byte order mark):
    /// as Windows-1252 it is a small letter followed by two symbols ("â€™", "â‰¤"). Other two-byte sequences prove
    /// nothing either way; only bytes UTF-8 cannot have make a file Windows-1252.
    /// </summary>
    private static bool Telling(ReadOnlySpan<byte> sequence) => sequence is [0xC2 or 0xC3, _] || sequence.Length >= 3;

    private static Utf8Scan ScanUtf8(string path)
    {
        const int chunk = 65536;
        var buffer = new byte[chunk + 4];
        using var stream = File.OpenRead(path);
        int carried = 0, line = 1;
        int? invalid = null, utf8 = null;
        byte bad = 0;
        while (true)
        {
            var read = stream.Read(buffer, carried, chunk);
            var atEnd = read == 0;
            var span = buffer.AsSpan(0, carried + read);
            var i = 0;
            while (i < span.Length)
            {
                if (span[i] < 0x80)
                {
                    if (span[i] == (byte)'\n') line++;
                    i++;
                    continue;
                }
                var status = Rune.DecodeFromUtf8(span[i..], out _, out var consumed);
                if (status == System.Buffers.OperationStatus.NeedMoreData && !atEnd) break; // the letter goes on in the next chunk
                if (status == System.Buffers.OperationStatus.Done)
                {
                    if (Telling(span.Slice(i, consumed))) utf8 ??= line;
                }
                else if (invalid is null) (invalid, bad) = (line, span[i]);
                if (invalid is not null && utf8 is not null) return new Utf8Scan(invalid, bad, utf8);
                i += Math.Max(consumed, 1);
            }
            if (atEnd) return new Utf8Scan(invalid, bad, utf8);
            carried = span.Length - i;
            span[i..].CopyTo(buffer);
        }
    }
}
