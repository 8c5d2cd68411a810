using System.Globalization;
using System.Text;
using NapGeo.Samples;

namespace NapGeo.Assessment;

/// <summary>One guideline value as stored: in the canonical unit of its matrix (Samples/Units.cs).</summary>
public sealed record Guideline(
    string Id, string Matrix, double Value, string Unit, bool IsDefault, string Name, string? Protects, string Source,
    string? Url, int? Year, string? Verified, string? Note);

/// <summary>Reads <c>data/guidelines.csv</c> (embedded in the assembly): the international default set.</summary>
public static class GuidelineCsv
{
    public static IReadOnlyList<Guideline> LoadEmbedded() => Parse(Database.SqlResource.Load("Assessment.guidelines.csv"));

    public static IReadOnlyList<Guideline> Parse(string text)
    {
        var rows = ReadRows(text).ToList();
        if (rows.Count == 0) throw new InvalidDataException("guidelines.csv is empty");
        var header = rows[0];
        int Column(string name) => header.IndexOf(name) is var i and >= 0 ? i : throw new InvalidDataException($"guidelines.csv has no column {name}");
        string? Cell(List<string> row, string name) => row[Column(name)] is { Length: > 0 } v ? v : null;

        var result = new List<Guideline>();
        foreach (var row in rows.Skip(1).Where(r => r.Count > 1 || r[0].Length > 0))
        {
            if (row.Count != header.Count) throw new InvalidDataException($"guidelines.csv: row '{row[0]}' has {row.Count} cells, the header {header.Count}");
            var id = Cell(row, "id")!;
            var matrix = Cell(row, "matrix")!;
            var value = double.Parse(Cell(row, "value")!, CultureInfo.InvariantCulture);
            var normalization = Units.Normalize(matrix, Cell(row, "unit")!, out var problem)
                ?? throw new InvalidDataException($"guidelines.csv: {id}: {problem}");
            result.Add(new Guideline(id, matrix, normalization.Of(value), normalization.Unit, Cell(row, "is_default") == "true",
                Cell(row, "name")!, Cell(row, "protects"), Cell(row, "source")!, Cell(row, "url"),
                Cell(row, "year") is { } year ? int.Parse(year, CultureInfo.InvariantCulture) : null, Cell(row, "verified"), Cell(row, "note")));
        }
        return result;
    }

    /// <summary>RFC 4180: comma-separated, double-quoted cells may hold commas, quotes ("") and line breaks.</summary>
    private static IEnumerable<List<string>> ReadRows(string text)
    {
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"') cell.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\n')
            {
                row.Add(cell.ToString().TrimEnd('\r'));
                cell.Clear();
                yield return row;
                row = [];
            }
            else cell.Append(c);
        }
        if (cell.Length > 0 || row.Count > 0)
        {
            row.Add(cell.ToString());
            yield return row;
        }
    }
}
