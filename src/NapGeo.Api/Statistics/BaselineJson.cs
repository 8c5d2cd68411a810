using System.Text.Json;
using NapGeo.Layers;

namespace NapGeo.Statistics;

/// <summary>The baseline as nested JSON, or as GeoJSON with flat properties (what map dashboards and MapX read).</summary>
public static class BaselineJson
{
    public static void WriteJson(Utf8JsonWriter json, IReadOnlyList<AreaBaseline> areas, IReadOnlyDictionary<string, long>? unassigned)
    {
        json.WriteStartObject();
        json.WriteString("baseline", "Minamata Convention Annex C 1(d)");
        json.WriteString("generated_at", FeatureJson.Timestamp(DateTime.UtcNow));
        json.WritePropertyName("areas");
        json.WriteStartArray();
        foreach (var a in areas)
        {
            json.WriteStartObject();
            json.WriteString("level", a.Level);
            json.WriteString("country", a.Country);
            json.WriteString("admin1", a.Admin1);
            json.WritePropertyName("sites");
            json.WriteStartObject();
            json.WriteNumber("total", a.Sites);
            Map(json, "by_status", a.SitesByStatus);
            json.WriteEndObject();
            json.WritePropertyName("miners");
            json.WriteStartObject();
            json.WriteNumber("total", a.MinersTotal);
            json.WriteNumber("women", a.MinersWomen);
            json.WriteNumber("children", a.MinersChildren);
            json.WriteNumber("sites_reporting", a.SitesReportingMiners);
            json.WriteEndObject();
            json.WriteNumber("mercury_use_kg_yr", a.MercuryUseKgYr);
            json.WriteNumber("sites_reporting_mercury_use", a.SitesReportingMercury);
            json.WriteNumber("gold_production_kg_yr", a.GoldProductionKgYr);
            json.WriteNumber("sites_reporting_gold_production", a.SitesReportingGold);
            json.WritePropertyName("worst_practices");
            json.WriteStartObject();
            foreach (var (k, v) in a.WorstPractices) json.WriteNumber(k, v);
            json.WriteNumber("any", a.AnyWorstPractice);
            json.WriteEndObject();
            Map(json, "samples_by_matrix", a.SamplesByMatrix);
            if (a.Bbox is { } b)
            {
                json.WritePropertyName("bbox");
                JsonSerializer.Serialize(json, b);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (unassigned is not null) Map(json, "samples_without_site_by_matrix", unassigned);
        json.WriteEndObject();
    }

    public static void WriteGeoJson(Utf8JsonWriter json, IReadOnlyList<AreaBaseline> areas, IReadOnlyDictionary<string, long>? unassigned)
    {
        json.WriteStartObject();
        json.WriteString("type", "FeatureCollection");
        json.WritePropertyName("features");
        json.WriteStartArray();
        foreach (var a in areas)
        {
            json.WriteStartObject();
            json.WriteString("type", "Feature");
            json.WriteString("id", a.Level == "country" ? a.Country : $"{a.Country}/{a.Admin1 ?? "(no admin1)"}");
            if (a.Bbox is { } b)
            {
                json.WritePropertyName("bbox");
                JsonSerializer.Serialize(json, b);
            }
            json.WritePropertyName("geometry");
            if (a.Centroid is { } c) json.WriteRawValue(c, skipInputValidation: true);
            else json.WriteNullValue();
            json.WritePropertyName("properties");
            json.WriteStartObject();
            json.WriteString("level", a.Level);
            json.WriteString("country", a.Country);
            json.WriteString("admin1", a.Admin1);
            json.WriteNumber("sites_total", a.Sites);
            foreach (var (k, v) in a.SitesByStatus) json.WriteNumber($"sites_{k}", v);
            json.WriteNumber("miners_total", a.MinersTotal);
            json.WriteNumber("miners_women", a.MinersWomen);
            json.WriteNumber("miners_children", a.MinersChildren);
            // How many sites each sum comes from: a map can then tell "0" from "no site reported it".
            json.WriteNumber("sites_reporting_miners", a.SitesReportingMiners);
            json.WriteNumber("mercury_use_kg_yr", a.MercuryUseKgYr);
            json.WriteNumber("sites_reporting_mercury_use", a.SitesReportingMercury);
            json.WriteNumber("gold_production_kg_yr", a.GoldProductionKgYr);
            json.WriteNumber("sites_reporting_gold_production", a.SitesReportingGold);
            foreach (var (k, v) in a.WorstPractices) json.WriteNumber($"sites_{k}", v);
            json.WriteNumber("sites_any_worst_practice", a.AnyWorstPractice);
            foreach (var (k, v) in a.SamplesByMatrix) json.WriteNumber($"samples_{k}", v);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        // Samples linked to no site belong to no area, so to no feature; a dashboard summing samples_* over the features
        // would come out short without them. A foreign member (RFC 7946 6.1), as in the JSON form.
        if (unassigned is not null) Map(json, "samples_without_site_by_matrix", unassigned);
        json.WriteEndObject();
    }

    private static void Map(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, long> values)
    {
        json.WritePropertyName(name);
        json.WriteStartObject();
        foreach (var (k, v) in values) json.WriteNumber(k, v);
        json.WriteEndObject();
    }
}
