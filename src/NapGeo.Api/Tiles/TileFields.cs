using NapGeo.Layers;

namespace NapGeo.Tiles;

/// <summary>
/// Which attributes of a layer go into its vector tiles: what a viewer styles, labels or shows in a popup.
/// The lists name candidate fields; only those the <see cref="LayerDefinition"/> has are used, so fields a
/// later change adds to a layer (e.g. the assessment's exceedance_class on samples) appear once they exist,
/// and a field that is removed simply drops out. Every tile also carries the uuid as property <c>id</c>.
/// </summary>
public static class TileFields
{
    private static readonly Dictionary<string, string[]> ViewerFields = new()
    {
        ["sites"] = ["site_code", "name", "country", "admin1", "admin2", "status", "deposit_type", "legal_status",
                     "whole_ore_amalgamation", "open_burning_amalgam", "residential_burning_amalgam", "cyanide_leaching_hg_material",
                     "miners_total", "mercury_use_kg_yr", "survey_date"],
        ["hotspots"] = ["name", "kind", "severity", "origin", "site_id", "first_observed", "last_observed"],
        ["samples"] = ["external_id", "campaign", "matrix", "value", "unit", "value_normalized", "unit_normalized", "below_detection",
                       "detection_limit", "sampled_at", "site_id", "exceedance_class", "exceedance_ratio", "guideline_value"],
    };

    /// <summary>The uuid as text; the MVT feature id is derived from it (see <see cref="FeatureId"/>).</summary>
    public const string IdProperty = "id";

    public static IReadOnlyList<Field> For(LayerDefinition layer) =>
        ViewerFields.TryGetValue(layer.Name, out var names)
            ? names.Select(layer.Find).OfType<Field>().ToList()
            // A layer without a list: its short closed-vocabulary and numeric fields, which is what styles use.
            : layer.Fields.Where(f => f.Allowed is not null || f.Kind is FieldKind.Integer or FieldKind.Number || f.Name == "name").ToList();

    /// <summary>TileJSON / MVT value type of a field.</summary>
    public static string MvtType(FieldKind kind) => kind switch
    {
        FieldKind.Integer or FieldKind.Number => "Number",
        FieldKind.Boolean => "Boolean",
        _ => "String",
    };

    /// <summary>SQL for a field's tile value: dates, times and uuids as ISO text so every decoder reads the same string.</summary>
    public static string ValueSql(Field field, string alias) => field.Kind switch
    {
        FieldKind.Date => $"to_char({alias}.{field.Name}, 'YYYY-MM-DD')",
        // Colons quoted in the pattern: no ":name" in the SQL, which pgbench (bench/tiles) would take for a variable.
        FieldKind.Timestamp => $"to_char({alias}.{field.Name} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24\":\"MI\":\"SS\"Z\"')",
        FieldKind.Uuid => $"{alias}.{field.Name}::text",
        _ => $"{alias}.{field.Name}",
    };

    /// <summary>
    /// The MVT feature id: an unsigned integer, so it is derived from the uuid. It is the uuid's first 12 hex digits
    /// followed by the 14th (the 13th is the constant version digit of random uuids): 52 bits, which JavaScript
    /// numbers (and so MapLibre's feature state) hold exactly. Stable for a feature; the full uuid is the
    /// <c>id</c> property. SQL and C# compute the same value.
    /// </summary>
    public static string FeatureIdSql(string alias) =>
        $"('x' || substr(replace({alias}.id::text, '-', ''), 1, 12) || substr(replace({alias}.id::text, '-', ''), 14, 1))::bit(52)::bigint";

    public static ulong FeatureId(Guid id)
    {
        var hex = id.ToString("N");
        return Convert.ToUInt64(hex[..12] + hex[13], 16);
    }
}
