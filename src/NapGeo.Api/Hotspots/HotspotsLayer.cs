using NapGeo.Layers;
using NetTopologySuite.Geometries;

namespace NapGeo.Hotspots;

/// <summary>Mercury hotspots: burning sites, processing areas, tailings, gold shops; drawn by hand or derived from samples.</summary>
public static class HotspotsLayer
{
    public static readonly LayerDefinition Definition = new()
    {
        Name = "hotspots",
        Title = "Mercury hotspots",
        Noun = "hotspot",
        GeometryTypes = [OgcGeometryType.Polygon, OgcGeometryType.MultiPolygon, OgcGeometryType.Point],
        SearchFields = ["name"],
        OrderBy = "name",
        Time = new("first_observed", "last_observed"),
        Fields =
        [
            new("site_id", FieldKind.Uuid, "The site this hotspot belongs to, if any") { Filterable = true, References = "sites" },
            new("name", FieldKind.Text, "Hotspot name") { Required = true, MaxLength = 200 },
            new("kind", FieldKind.Text, "What makes it a hotspot")
                { Allowed = ["amalgam_burning", "ore_processing", "tailings", "gold_shop", "river_sediment", "other"], Filterable = true, Default = "other" },
            new("severity", FieldKind.Text, "Severity") { Allowed = ["low", "medium", "high", "critical"], Filterable = true, Default = "medium" },
            // Set by the server: derivation replaces every derived hotspot, so a client's "derived" would be deleted.
            new("origin", FieldKind.Text, "manual (drawn by a person) or derived (computed from samples by POST /api/hotspots/derive)")
                { Allowed = ["manual", "derived"], Filterable = true, Source = FieldSource.Database, NotNull = true },
            new("first_observed", FieldKind.Date, "First date the hotspot was observed"),
            new("last_observed", FieldKind.Date, "Latest date the hotspot was observed"),
            new("notes", FieldKind.Text, "Free notes"),
            // Statistics of a derived hotspot (POST /api/hotspots/derive); null on manual ones.
            new("medium_group", FieldKind.Text, "Derived: the medium group clustered (soil, sediment, water, air, biota, human)")
                { Source = FieldSource.Database, Allowed = ["soil", "sediment", "water", "air", "biota", "human"], Filterable = true },
            new("sample_count", FieldKind.Integer, "Derived: number of exceeding samples in the cluster") { Source = FieldSource.Database },
            new("matrices", FieldKind.Text, "Derived: the sample matrices in the cluster, comma-separated") { Source = FieldSource.Database },
            new("max_ratio", FieldKind.Number, "Derived: the highest exceedance ratio in the cluster") { Source = FieldSource.Database },
            new("median_ratio", FieldKind.Number, "Derived: the median exceedance ratio in the cluster") { Source = FieldSource.Database },
        ],
        Validate = Check,
        ChangeRefusal = DerivedRefusal,
    };

    // Derivation (POST /api/hotspots/derive, and after uploads and guideline changes) rewrites every derived hotspot
    // under its fixed id, so an edit of one was answered 200 and then silently restored.
    private static string? DerivedRefusal(IReadOnlyDictionary<string, object?> values) =>
        values["origin"] as string == "derived"
            ? "This hotspot is derived: derived hotspots are recomputed from the samples and the guideline sets on every derivation " +
              "(POST /api/hotspots/derive, and after each samples upload and guideline set change), which would undo this change. " +
              "Change the samples or the guideline set instead, or create a manual hotspot (POST /api/hotspots)."
            : null;

    private static void Check(IDictionary<string, object?> values, ValidationErrors errors)
    {
        if (values["first_observed"] is DateOnly first && values["last_observed"] is DateOnly last && last < first)
            errors.AddProperty("last_observed", $"{last:yyyy-MM-dd} is before first_observed ({first:yyyy-MM-dd}).");
    }
}
