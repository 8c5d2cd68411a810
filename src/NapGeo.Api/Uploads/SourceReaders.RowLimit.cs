using System.Globalization;
using System.Text;

namespace NapGeo.Uploads;

/// <summary>What to say when a CSV row does not fit the reader: a quote never closed, or a row that is simply too long.</summary>
public static partial class SourceReaders
{
    /// <summary>Sep holds a row in one buffer of at most this many characters, and throws NotSupportedException past it.</summary>
    public const int CsvRowLimit = 16_777_216;

    /// <summary>
    /// Sep says only that its buffer is full. That was reported as a quote never closed, also for a 17 MB cell without a
    /// quote in the file, or a properly closed 20 MB quoted cell, which sent the sender looking for a quote that is not
    /// there. The file is read again up to the end of <paramref name="failedRow"/>, the row Sep could not hold, counting
    /// rows as Sep does (a line break inside quotes is part of the value): the row ends, so it is too long, or the file
    /// ends inside quotes, so a quote was never closed. A closed quoted value that takes in a line holding a row's worth
    /// of separators is the stray quote CheckQuotes reports for shorter rows. Only this failing upload pays for the pass.
    /// </summary>
    private static UploadFileException PastRowLimit(string path, Encoding encoding, char? separator, string[] header, int failedRow)
    {
        using var reader = new StreamReader(path, encoding, detectEncodingFromByteOrderMarks: true);
        var buffer = new char[65536];
        int row = 1, column = 0, quoteRow = 0, longestColumn = 0;
        long rowLength = 0, cellLength = 0, longestCell = 0, separatorsAfterBreak = 0;
        bool inQuote = false, breakInQuote = false, strayQuote = false, afterCarriageReturn = false;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n' && afterCarriageReturn && !inQuote) { afterCarriageReturn = false; continue; }
                afterCarriageReturn = false;
                if (c == '"')
                {
                    if (!inQuote) quoteRow = row;
                    inQuote = !inQuote;
                }
                if (inQuote && c is '\n' or '\r') breakInQuote = true;
                if (inQuote && c == separator && breakInQuote && ++separatorsAfterBreak >= header.Length - 1 && header.Length > 1) strayQuote = true;
                if (!inQuote && (c == separator || c is '\n' or '\r'))
                {
                    if (row == failedRow && cellLength > longestCell) (longestCell, longestColumn) = (cellLength, column);
                    (cellLength, breakInQuote, separatorsAfterBreak) = (0, false, 0);
                    if (c == separator) { column++; rowLength++; continue; }
                    if (row == failedRow) return TooLong(rowLength, strayQuote);
                    afterCarriageReturn = c == '\r';
                    (row, column, rowLength) = (row + 1, 0, 0);
                    continue;
                }
                // The quotes around a value are not part of it.
                if (c != '"') cellLength++;
                rowLength++;
            }
        }
        if (inQuote)
            return new UploadFileException(422, "Unclosed quote",
                $"Row {quoteRow} starts a quoted value that is never closed (a stray \" in the text?); the rest of the file was read into it.");
        if (row == failedRow && cellLength > longestCell) (longestCell, longestColumn) = (cellLength, column);
        return TooLong(rowLength, strayQuote);

        UploadFileException TooLong(long length, bool stray)
        {
            if (stray)
                return new UploadFileException(422, "Unclosed quote",
                    $"Row {failedRow}: a quoted value runs over lines that look like further rows, {N(length)} characters in all — a quote opened by a stray \" " +
                    "(e.g. 6\" for inches) and closed much later. Write a quote inside a value as \"\" and put the value in quotes, or remove it.");
            var name = longestColumn < header.Length ? $"column '{header[longestColumn]}'" : $"column {longestColumn + 1}";
            return new UploadFileException(422, "Row too long",
                $"Row {failedRow} has {N(length)} characters ({name} alone {N(longestCell)}), more than the CSV reader's limit of {N(CsvRowLimit)} characters a row. " +
                "Shorten the value: long texts or images do not belong in a cell.");
        }

        static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
    }
}
