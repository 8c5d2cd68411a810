using NapGeo.Assessment;
using NapGeo.Layers;
using NetTopologySuite.Geometries;

namespace NapGeo.Samples;

/// <summary>Rapid environmental mercury assessment samples (UNEP): one measurement at one point.</summary>
public static class SamplesLayer
{
    public static readonly LayerDefinition Definition = new()
    {
        Name = "samples",
        Title = "Mercury assessment samples",
        Noun = "sample",
        GeometryTypes = [OgcGeometryType.Point],
        SearchFields = ["external_id", "campaign"],
        OrderBy = "campaign, external_id",
        CoveringPoint = "lonlat",
        Time = new("sampled_at"),
        Fields =
        [
            new("external_id", FieldKind.Text, "The sample id used in the field and lab, unique within a campaign") { Required = true, Filterable = true, MaxLength = 100, Identifier = true },
            new("campaign", FieldKind.Text, "Sampling campaign") { Required = true, Filterable = true, MaxLength = 100, Identifier = true },
            new("matrix", FieldKind.Text, "What was sampled") { Required = true, Allowed = Units.Matrices, Filterable = true },
            new("value", FieldKind.Number, "Mercury concentration as reported (null when below detection)"),
            new("unit", FieldKind.Text, "Unit as reported, e.g. mg/kg, ppm, µg/L") { Required = true, MaxLength = 40 },
            new("value_normalized", FieldKind.Number, "Value in the matrix's canonical unit") { Source = FieldSource.Rules },
            new("unit_normalized", FieldKind.Text, "Canonical unit: mg/kg (soil, sediment, tailings, fish), µg/g (hair), µg/L (water, urine, blood), ng/m³ (air); µg/g creatinine for creatinine-adjusted urine") { Source = FieldSource.Rules },
            new("below_detection", FieldKind.Boolean, "True when the result was below the detection limit") { Filterable = true, Default = false },
            new("detection_limit", FieldKind.Number, "Detection limit, in the reported unit"),
            new("method", FieldKind.Text, "Analytical method or instrument"),
            new("laboratory", FieldKind.Text, "Laboratory"),
            new("sampled_at", FieldKind.Timestamp, "When the sample was taken"),
            new("site_id", FieldKind.Uuid, "The site containing the point, else the nearest within 5 km") { Source = FieldSource.Database, Filterable = true, References = "sites" },
            new("notes", FieldKind.Text, "Free notes"),
            // The assessment (issue 6): computed by a trigger from the guideline set of the sample's country, so every write path agrees.
            new("guideline_id", FieldKind.Text, "The guideline the sample was compared with (see /api/guidelines); null when none applies") { Source = FieldSource.Database },
            new("guideline_set", FieldKind.Text, "The guideline set applied: the country's national set, else 'default' (international)") { Source = FieldSource.Database, Filterable = true, CountryCode = true, OtherCode = GuidelineStore.DefaultSet },
            new("guideline_value", FieldKind.Number, "The guideline value, in guideline_unit") { Source = FieldSource.Database },
            new("guideline_unit", FieldKind.Text, "The guideline's unit: always the sample's unit_normalized") { Source = FieldSource.Database },
            new("exceedance_ratio", FieldKind.Number, "value_normalized ÷ guideline_value; null below detection (the true value is unknown) or without a guideline") { Source = FieldSource.Database },
            new("exceedance_class", FieldKind.Text, "below (≤ 1×), above (> 1×), high (≥ 5×), critical (≥ 20×) the guideline; below detection: below when the detection limit is at or under the guideline, else null (cannot tell); null without a guideline")
                { Source = FieldSource.Database, Allowed = ["below", "above", "high", "critical"], Filterable = true },
        ],
        Validate = Normalize,
    };

    /// <summary>Checks value, unit and detection limit together and fills the normalized value.</summary>
    private static void Normalize(IDictionary<string, object?> values, ValidationErrors errors)
    {
        var belowDetection = values["below_detection"] is true;
        var value = values["value"] as double?;
        var limit = values["detection_limit"] as double?;
        if (value is < 0) errors.AddProperty("value", "a concentration cannot be negative.");
        if (limit is < 0) errors.AddProperty("detection_limit", "a detection limit cannot be negative.");
        if (value is null && !belowDetection) errors.AddProperty("value", "is required unless below_detection is true.");
        if (belowDetection && value is null && limit is null)
            errors.AddProperty("detection_limit", "is required when below_detection is true and no value is given.");
        // Below detection, the stored class comes from the limit: a measured 150 µg/L patched onto a sample still flagged
        // below a limit of 2 was classed "below" the guideline. A value may be the limit itself (labs write "<0.05" that way).
        if (belowDetection && value is { } measured && limit is { } lod && measured > lod)
            errors.AddProperty("value", $"{measured.ToString(System.Globalization.CultureInfo.InvariantCulture)} is above the detection limit " +
                $"({lod.ToString(System.Globalization.CultureInfo.InvariantCulture)}) while below_detection is true: a result above its limit was detected. " +
                "Set below_detection to false, or leave value empty.");

        values["value_normalized"] = null;
        values["unit_normalized"] = null;
        if (values["matrix"] is not string matrix || values["unit"] is not string unit) return;
        var normalization = Units.Normalize(matrix, unit, out var problem);
        if (normalization is null)
        {
            errors.AddProperty("unit", problem!);
            return;
        }
        if (Units.CanonicalUnit(matrix) is null) return; // "other": nothing to compare against
        values["unit_normalized"] = normalization.Unit;
        // Below detection, the normalized value is the detection limit: the most a censored result can be.
        var reported = belowDetection ? limit ?? value : value;
        if (reported is not { } v || v < 0) return;
        var normalized = normalization.Of(v);
        if (double.IsFinite(normalized)) values["value_normalized"] = normalized;
        else errors.AddProperty(belowDetection && limit is not null ? "detection_limit" : "value", $"{v} {unit} is too large to be a concentration.");
    }
}
