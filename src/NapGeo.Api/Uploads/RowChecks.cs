using NapGeo.Layers;

namespace NapGeo.Uploads;

/// <summary>
/// Warnings about rows that are valid but look wrong: an id used twice in the file, a date in the future, a value
/// outside the plausible range of its matrix. (Samples far from every site are found in the database, see UploadStore.)
/// </summary>
public sealed class RowChecks(LayerDefinition layer)
{
    /// <summary>
    /// Highest plausible mercury concentration per matrix, in the canonical unit. Above it a value is most likely a unit
    /// or decimal error (e.g. µg/kg reported as mg/kg). Chosen above the highest values reported for ASGM sites in the
    /// literature (amalgam-burning soils and tailings reach a few thousand mg/kg; hair of exposed miners tens of µg/g;
    /// urine and blood of burners hundreds of µg/L; air in gold shops tens of thousands of ng/m³).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, double> PlausibleMaximum = new Dictionary<string, double>
    {
        ["soil"] = 10_000, ["sediment"] = 10_000, ["tailings"] = 50_000, // mg/kg
        ["fish"] = 50,                                                  // mg/kg wet weight
        ["hair"] = 1_000,                                               // µg/g
        ["water"] = 1_000, ["urine"] = 5_000, ["blood"] = 2_000,        // µg/L
        ["air"] = 1_000_000,                                            // ng/m³ (1 mg/m³)
    };

    private readonly Dictionary<string, int> _firstRowOfKey = new(StringComparer.Ordinal);

    public IEnumerable<UploadIssue> Check(int row, FeatureDraft draft, RowConverter converter, SourceRecord record)
    {
        if (Key(draft.Values) is { } key)
        {
            if (_firstRowOfKey.TryGetValue(key.Value, out var first))
            {
                var (column, value) = converter.Source(key.Field, record);
                yield return new(row, column, value, key.Field,
                    $"the same {key.Field} is also on row {first}; the later row wins (a file should name each {layer.Noun} once).", "duplicate_id");
            }
            else _firstRowOfKey[key.Value] = row;
        }
        foreach (var field in layer.Writable.Where(f => f.Kind is FieldKind.Date or FieldKind.Timestamp))
        {
            var when = draft.Values[field.Name] switch
            {
                DateOnly d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                DateTime t => t,
                _ => (DateTime?)null,
            };
            if (when > DateTime.UtcNow.AddDays(1))
            {
                var (column, value) = converter.Source(field.Name, record);
                yield return new(row, column, value, field.Name, $"{when:yyyy-MM-dd} is in the future.", "future_date");
            }
        }
        if (layer.Name == "samples" && draft.Values["matrix"] is string matrix && draft.Values["value_normalized"] is double normalized &&
            draft.Values["below_detection"] is not true && PlausibleMaximum.TryGetValue(matrix, out var maximum) && normalized > maximum)
        {
            var (column, value) = converter.Source("value", record);
            yield return new(row, column, value, "value",
                $"{normalized:G4} {draft.Values["unit_normalized"]} is above the plausible maximum for {matrix} ({maximum:G4} {draft.Values["unit_normalized"]}); check the unit.",
                "implausible_value");
        }
    }

    private (string Field, string Value)? Key(Dictionary<string, object?> values) => layer.Name switch
    {
        "samples" => ("external_id", $"{values["campaign"]}\u0001{values["external_id"]}"),
        "sites" => ("site_code", (string)values["site_code"]!),
        _ => null,
    };
}
