using System.Globalization;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using NapGeo.Auth;
using NapGeo.Database;
using NapGeo.Features;
using NapGeo.Http;
using NapGeo.Layers;
using NapGeo.Samples;
using NapGeo.Sites;
using Npgsql;

namespace NapGeo.Statistics;

/// <summary>
/// <c>/api/stats</c>: the NAP baseline (Minamata Convention Annex C 1(d)) per country and per admin1 area, for
/// dashboards, as JSON or as GeoJSON with a point (the centroid of the area's sites) per area.
/// </summary>
public static class StatisticsApi
{
    public static IServiceCollection AddStatistics(this IServiceCollection services) => services.AddSingleton<BaselineStore>();

    public static WebApplication MapStatistics(this WebApplication app)
    {
        // HEAD too (RFC 9110 9.3.2), from the same handler: the baseline is one aggregate query, and Kestrel drops the body.
        app.MapGetAndHead("/api/stats", Get, b => b.RequireAuthorization(ApiKeyAuthentication.ReadPolicy)).WithTags("Statistics")
            .WithName("GetStatistics")
            .WithSummary("NAP baseline per country and admin1: sites by status, miners, mercury and gold kg/yr, worst practices, samples per matrix")
            .WithDescription("level=country|admin1|all (default all), country=ISO3 code, f=json (default) or geojson (a point per area; also by Accept: application/geo+json).")
            .Produces(200, contentType: "application/json").Produces(200, contentType: FeatureJson.ContentType).ProducesValidationProblem();
        return app;
    }

    public sealed record StatsRequest(string? Level, string? Country, string? F);

    private static readonly string[] Parameters = ["level", "country", "f"];

    private static async Task<IResult> Get([AsParameters] StatsRequest query, HttpRequest request, BaselineStore store, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        // Given twice (?country=GHA&country=TZA), a parameter was read as one value, 'GHA,TZA', and refused as a bad code.
        foreach (var (name, values) in request.Query)
            if (values.Count > 1) errors.Add(name, "is given more than once; give it once.");
        if (!errors.IsEmpty) return Problems.Invalid(errors.ToDictionary(), "The query has invalid parameters; see errors.");
        // Values in any case, as the parameter names and /ogc's f= are read.
        var level = query.Level?.ToLowerInvariant() ?? "all";
        if (level is not ("all" or "country" or "admin1")) errors.Add("level", "must be country, admin1 or all.");
        // Codes in either case, as /api/countries/{iso3} takes them; stored codes are upper case.
        var country = query.Country?.ToUpperInvariant();
        if (country is not null && !CountryCodes.IsAlpha3(country)) errors.Add("country", CountryCodes.Problem(query.Country!));
        // A misspelt parameter (?countyr=GHA) would answer every country's baseline as if it were one country's.
        foreach (var name in request.Query.Keys)
            if (!Parameters.Contains(name, StringComparer.OrdinalIgnoreCase))
                errors.Add(name, $"is not a parameter here; use {string.Join(", ", Parameters)}.");
        var geojson = query.F?.ToLowerInvariant() switch
        {
            // Accept with its q-values: application/geo+json;q=0 refuses GeoJSON, it does not ask for it.
            null => ContentNegotiation.Choose(request, [("application/json", false), (FeatureJson.ContentType, true)]) ?? false,
            "geojson" => true,
            "json" => false,
            _ => errors.AddAndReturn("f", "must be json or geojson."),
        };
        if (!errors.IsEmpty) return Problems.Invalid(errors.ToDictionary(), "The query has invalid parameters; see errors.");
        // The format may come from Accept: a cache that keyed on the URL alone would hand JSON to a GeoJSON client.
        request.HttpContext.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Accept);

        var (allAreas, unassigned) = await store.ReadAsync(country, withUnassigned: country is null, ct);
        var areas = allAreas.Where(a => level == "all" || a.Level == level).ToList();
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer, FeatureJson.WriterOptions))
        {
            if (geojson) BaselineJson.WriteGeoJson(json, areas, unassigned);
            else BaselineJson.WriteJson(json, areas, unassigned);
        }
        return TypedResults.Bytes(buffer.ToArray(), geojson ? FeatureJson.ContentType : "application/json");
    }

    private static bool AddAndReturn(this ValidationErrors errors, string key, string message)
    {
        errors.Add(key, message);
        return false;
    }
}

/// <summary>One area's baseline figures as read from <c>Statistics/Sql/baseline.sql</c>.</summary>
public sealed record AreaBaseline(
    string Level, string Country, string? Admin1, long Sites, IReadOnlyDictionary<string, long> SitesByStatus,
    long MinersTotal, long MinersWomen, long MinersChildren, long SitesReportingMiners,
    double MercuryUseKgYr, long SitesReportingMercury, double GoldProductionKgYr, long SitesReportingGold,
    IReadOnlyDictionary<string, long> WorstPractices, long AnyWorstPractice,
    IReadOnlyDictionary<string, long> SamplesByMatrix, string? Centroid, double[]? Bbox);

public sealed class BaselineStore(NpgsqlDataSource db)
{
    /// <summary>
    /// The areas' figures and, when asked, the samples linked to no site, from one snapshot: a sample linked to a site
    /// between two separate reads would be counted twice or not at all.
    /// </summary>
    public async Task<(IReadOnlyList<AreaBaseline> Areas, IReadOnlyDictionary<string, long>? Unassigned)> ReadAsync(
        string? country, bool withUnassigned, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var areas = await AreasAsync(connection, country, ct);
        var unassigned = withUnassigned ? await UnassignedSamplesAsync(connection, ct) : null;
        await snapshot.CommitAsync(ct);
        return (areas, unassigned);
    }

    private static async Task<IReadOnlyList<AreaBaseline>> AreasAsync(NpgsqlConnection connection, string? country, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(SqlResource.Load("Statistics.Sql.baseline.sql"), connection);
        cmd.Parameters.Add(new() { Value = (object?)country ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        var statuses = SitesLayer.Definition.Find("status")!.Allowed!;
        var areas = new List<AreaBaseline>();
        while (await row.ReadAsync(ct))
        {
            long Long(string name) => Convert.ToInt64(row[name], CultureInfo.InvariantCulture);
            var practices = SitesLayer.WorstPractices.ToDictionary(p => p, Long);
            areas.Add(new AreaBaseline(
                row.GetString(row.GetOrdinal("level")), row.GetString(row.GetOrdinal("country")),
                row["admin1"] as string, Long("sites"), Counts(row["sites_by_status"] as string, statuses),
                Long("miners_total"), Long("miners_women"), Long("miners_children"), Long("sites_reporting_miners"),
                Kilograms(row["mercury_use_kg_yr"]), Long("sites_reporting_mercury"),
                Kilograms(row["gold_production_kg_yr"]), Long("sites_reporting_gold"),
                practices, Long("any_worst_practice"), Counts(row["samples_by_matrix"] as string, Units.Matrices),
                row["centroid"] as string,
                row["xmin"] is double x0 ? [x0, (double)row["ymin"], (double)row["xmax"], (double)row["ymax"]] : null));
        }
        return areas;
    }

    /// <summary>Sums of estimates, to the gram: more digits would only show floating-point noise.</summary>
    private static double Kilograms(object value) => Math.Round(Convert.ToDouble(value, CultureInfo.InvariantCulture), 3);

    private static async Task<IReadOnlyDictionary<string, long>> UnassignedSamplesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(SqlResource.Load("Statistics.Sql.unassigned_samples.sql"), connection);
        await using var row = await cmd.ExecuteReaderAsync(ct);
        var counts = Units.Matrices.ToDictionary(m => m, _ => 0L);
        while (await row.ReadAsync(ct)) counts[row.GetString(0)] = row.GetInt64(1);
        return counts;
    }

    /// <summary>Every known value gets a count, zero included, so a dashboard's legend does not depend on the data.</summary>
    private static Dictionary<string, long> Counts(string? json, IEnumerable<string> keys)
    {
        var counts = keys.ToDictionary(k => k, _ => 0L);
        if (json is null) return counts;
        foreach (var p in JsonDocument.Parse(json).RootElement.EnumerateObject()) counts[p.Name] = p.Value.GetInt64();
        return counts;
    }
}
