using System.IO.Compression;
using System.Xml;

namespace NapGeo.Uploads;

/// <summary>A spreadsheet cell holding a formula whose result the workbook never stored: it has no value to read.</summary>
public sealed record UncomputedFormula(string Formula)
{
    public override string ToString() => "=" + Formula;
}

/// <summary>Formula cells of the first sheet that carry no computed value (MiniExcel reads them as empty).</summary>
public static partial class SourceReaders
{
    private const string RelationshipsNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// <summary>
    /// Workbooks written by scripts and some converters (openpyxl, pandas with formulas, web exports) store formulas
    /// without their results, which only Excel or LibreOffice compute on opening. MiniExcel reads such a cell as empty, so
    /// a computed Hg value was "value is required" with nothing in the report pointing at the formula. Found here by
    /// (row, column), 1-based row and 0-based column as the records number them.
    /// </summary>
    private static Dictionary<(int Row, int Column), string> UncomputedFormulas(string path)
    {
        var found = new Dictionary<(int, int), string>();
        using var archive = ZipFile.OpenRead(path);
        if (FirstSheet(archive) is not { } sheet) return found;
        using var reader = XmlReader.Create(sheet.Open(), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        string? cell = null, formula = null;
        var hasValue = false;
        // ReadElementContentAsString moves past the formula's end already: the loop must not read another node after it.
        reader.Read();
        while (!reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "f" && cell is not null)
            {
                // A shared formula's other cells hold only a reference to the first's text.
                if (reader.IsEmptyElement) formula = "…";
                else { formula = reader.ReadElementContentAsString(); continue; }
            }
            else if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "c")
                (cell, formula, hasValue) = (reader.IsEmptyElement ? null : reader.GetAttribute("r"), null, false);
            else if (reader.NodeType == XmlNodeType.Element && reader.LocalName is "v" or "is" && cell is not null)
                hasValue = !reader.IsEmptyElement;
            else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "c")
            {
                if (formula is not null && !hasValue && CellReference(cell) is { } place) found[place] = formula;
                cell = null;
            }
            reader.Read();
        }
        return found;
    }

    /// <summary>The first sheet in the workbook's order, which MiniExcel reads, through the workbook's relationships.</summary>
    private static ZipArchiveEntry? FirstSheet(ZipArchive archive)
    {
        string? id = null;
        if (archive.GetEntry("xl/workbook.xml") is { } workbook)
        {
            using var reader = XmlReader.Create(workbook.Open(), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            while (id is null && reader.Read())
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "sheet") id = reader.GetAttribute("id", RelationshipsNamespace);
        }
        if (id is not null && archive.GetEntry("xl/_rels/workbook.xml.rels") is { } relationships)
        {
            using var reader = XmlReader.Create(relationships.Open(), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            while (reader.Read())
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship" && reader.GetAttribute("Id") == id &&
                    reader.GetAttribute("Target") is { } target)
                    return archive.GetEntry(target.StartsWith('/') ? target[1..] : "xl/" + target);
        }
        return archive.GetEntry("xl/worksheets/sheet1.xml");
    }

    /// <summary>"C12" → (12, 2).</summary>
    private static (int Row, int Column)? CellReference(string? reference)
    {
        if (reference is null) return null;
        var column = 0;
        var i = 0;
        for (; i < reference.Length && char.IsAsciiLetter(reference[i]); i++) column = column * 26 + char.ToUpperInvariant(reference[i]) - 'A' + 1;
        return i > 0 && int.TryParse(reference.AsSpan(i), System.Globalization.CultureInfo.InvariantCulture, out var row) ? (row, column - 1) : null;
    }
}
