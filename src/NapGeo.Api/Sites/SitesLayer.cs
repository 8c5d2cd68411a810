using NapGeo.Layers;
using NetTopologySuite.Geometries;

namespace NapGeo.Sites;

/// <summary>ASGM sites: the NAP baseline of Minamata Convention Annex C 1(d).</summary>
public static class SitesLayer
{
    public static readonly LayerDefinition Definition = new()
    {
        Name = "sites",
        Title = "ASGM sites",
        Noun = "site",
        GeometryTypes = [OgcGeometryType.Polygon, OgcGeometryType.MultiPolygon],
        PromotePolygons = true,
        SearchFields = ["name", "site_code"],
        OrderBy = "site_code",
        Time = new("survey_date"),
        Fields =
        [
            new("site_code", FieldKind.Text, "National site code, unique") { Required = true, Filterable = true, MaxLength = 64, Identifier = true },
            new("name", FieldKind.Text, "Site name") { Required = true, MaxLength = 200 },
            new("country", FieldKind.Text, "ISO 3166-1 alpha-3 country code") { Required = true, Filterable = true, MaxLength = 3, CountryCode = true },
            new("admin1", FieldKind.Text, "First-level administrative area (region, province)") { Filterable = true, MaxLength = 200 },
            new("admin2", FieldKind.Text, "Second-level administrative area (district)") { Filterable = true, MaxLength = 200 },
            new("status", FieldKind.Text, "Operational status") { Allowed = ["active", "inactive", "abandoned", "unknown"], Filterable = true, Default = "unknown" },
            new("deposit_type", FieldKind.Text, "Deposit type") { Allowed = ["alluvial", "hard_rock", "eluvial_colluvial", "tailings", "unknown"], Filterable = true, Default = "unknown" },
            Practice("whole_ore_amalgamation", "Worst practice (Annex C): whole-ore amalgamation"),
            Practice("open_burning_amalgam", "Worst practice (Annex C): open burning of amalgam or processed amalgam"),
            Practice("residential_burning_amalgam", "Worst practice (Annex C): burning of amalgam in residential areas"),
            Practice("cyanide_leaching_hg_material", "Worst practice (Annex C): cyanide leaching of sediment, ore or tailings to which mercury has been added"),
            Practice("concentrate_amalgamation", "Amalgamation of concentrate only"),
            Practice("retorts", "Retorts or fume hoods used when heating amalgam"),
            Practice("gravity_only", "Gravity concentration without mercury"),
            Practice("cyanidation", "Cyanide leaching used"),
            new("miners_total", FieldKind.Integer, "Estimated number of miners"),
            new("miners_women", FieldKind.Integer, "Estimated number of women miners"),
            new("miners_children", FieldKind.Integer, "Estimated number of child miners"),
            new("mercury_use_kg_yr", FieldKind.Number, "Estimated mercury use, kg per year"),
            new("gold_production_kg_yr", FieldKind.Number, "Estimated gold production, kg per year"),
            new("legal_status", FieldKind.Text, "Legal status") { Allowed = ["licensed", "unlicensed", "formalization_in_progress", "unknown"], Filterable = true, Default = "unknown" },
            new("survey_date", FieldKind.Date, "Date of the baseline survey"),
            new("data_source", FieldKind.Text, "Where the data come from"),
            new("notes", FieldKind.Text, "Free notes"),
        ],
        Validate = Check,
    };

    public static readonly string[] WorstPractices =
        ["whole_ore_amalgamation", "open_burning_amalgam", "residential_burning_amalgam", "cyanide_leaching_hg_material"];

    private static Field Practice(string name, string description) =>
        new(name, FieldKind.Boolean, description) { Filterable = true, Default = false };

    private static void Check(IDictionary<string, object?> values, ValidationErrors errors)
    {
        if (values["country"] is string country && !CountryCodes.IsAlpha3(country))
            errors.AddProperty("country", CountryCodes.StoredProblem(country));
        foreach (var name in new[] { "miners_total", "miners_women", "miners_children", "mercury_use_kg_yr", "gold_production_kg_yr" })
            if (values[name] is int and < 0 || values[name] is double and < 0)
                errors.AddProperty(name, "must not be negative.");
        if (values["miners_total"] is int total)
        {
            if (values["miners_women"] is int women && women > total) errors.AddProperty("miners_women", $"{women} is more than miners_total ({total}).");
            if (values["miners_children"] is int children && children > total) errors.AddProperty("miners_children", $"{children} is more than miners_total ({total}).");
        }
    }
}
