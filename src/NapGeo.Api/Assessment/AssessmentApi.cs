using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NapGeo.Auth;
using NapGeo.Database;
using NapGeo.Http;
using NapGeo.Layers;
using NapGeo.Sites;
using Npgsql;

namespace NapGeo.Assessment;

/// <summary>Hotspot derivation and the site and country profiles.</summary>
public static class AssessmentApi
{
    /// <summary>Query of <c>POST /api/hotspots/derive</c>; omitted values take the documented defaults.</summary>
    public sealed record DeriveQuery(
        [FromQuery(Name = "eps_m")] double? EpsM, [FromQuery(Name = "min_points")] int? MinPoints, [FromQuery(Name = "margin_m")] double? MarginM)
    {
        /// <summary>The names they are read under; the derivation refuses any other (<see cref="QueryParameters"/>).</summary>
        public static readonly string[] Names = ["eps_m", "min_points", "margin_m"];
    }

    public static IEndpointRouteBuilder MapAssessmentApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/hotspots/derive", Derive).RequireAuthorization(ApiKeyAuthentication.EditPolicy)
            .WithTags("Mercury hotspots").WithName("DeriveHotspots")
            .WithSummary("Replace the derived hotspots with DBSCAN clusters of exceeding samples (editor key)")
            .WithDescription($"eps_m: neighbourhood in metres (1–50000, default {DeriveParameters.DefaultEps}); min_points (1–1000, default " +
                             $"{DeriveParameters.DefaultMinPoints}); margin_m: buffer around the cluster hull (1–10000, default {DeriveParameters.DefaultMargin}). " +
                             "Samples are clustered per medium group (soil+tailings, sediment, water, air, biota, human). Manual hotspots are never touched.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesValidationProblem();
        app.MapGetAndHead("/api/sites/{id:guid}/profile", SiteProfile, b => b.RequireAuthorization(ApiKeyAuthentication.ReadPolicy))
            .WithTags("Mercury assessment").WithName("GetSiteProfile")
            .WithSummary("A site's NAP attributes, sample statistics per matrix (count, min/median/max, share above the guideline, latest) and hotspots")
            .Produces<JsonObject>().ProducesProblem(404);
        app.MapGetAndHead("/api/countries/{iso3}/profile", CountryProfile, b => b.RequireAuthorization(ApiKeyAuthentication.ReadPolicy))
            .WithTags("Mercury assessment").WithName("GetCountryProfile")
            .WithSummary("A country's Annex C 1(d) baseline (sites, miners, mercury use, worst practices) beside its assessment findings")
            .Produces<JsonObject>().ProducesProblem(400).ProducesProblem(404);
        return app;
    }

    private static async Task<Results<Ok<DeriveResult>, ValidationProblem>> Derive(
        [AsParameters] DeriveQuery query, HttpContext context, HotspotDerivation derivation, CancellationToken ct)
    {
        if (QueryParameters.RefuseUnknown(context.Request.Query, DeriveQuery.Names, "POST /api/hotspots/derive") is { } unknown) return unknown;
        var errors = new ValidationErrors();
        var parameters = new DeriveParameters(query.EpsM ?? DeriveParameters.DefaultEps, query.MinPoints ?? DeriveParameters.DefaultMinPoints,
            query.MarginM ?? DeriveParameters.DefaultMargin);
        if (parameters.EpsM is not (>= 1 and <= 50000)) errors.Add("eps_m", "must be between 1 and 50000 metres.");
        if (parameters.MinPoints is < 1 or > 1000) errors.Add("min_points", "must be between 1 and 1000.");
        if (parameters.MarginM is not (>= 1 and <= 10000)) errors.Add("margin_m", "must be between 1 and 10000 metres.");
        if (!errors.IsEmpty) return Problems.Invalid(errors.ToDictionary(), "The query has invalid parameters; see errors.");
        return TypedResults.Ok(await derivation.DeriveAsync(parameters, context.User.ActorName(), ct));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> SiteProfile(Guid id, LayerStore store, NpgsqlDataSource db, CancellationToken ct)
    {
        if (await store.RenderAsync(SitesLayer.Definition, id, ct) is not { } site) return Problems.NotFound($"site {id}");
        var feature = JsonNode.Parse(site.Json)!.AsObject();
        var attributes = feature["properties"]!.DeepClone().AsObject();
        attributes["id"] = id.ToString();
        var profile = await ProfileAsync(db, "Assessment.Sql.site_profile.sql", id, ct);
        if (profile is null) return Problems.NotFound($"site {id}");
        var result = new JsonObject { ["site"] = attributes };
        foreach (var (key, value) in profile) result[key] = value?.DeepClone();
        return TypedResults.Text(result.ToJsonString(), "application/json");
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> CountryProfile(string iso3, NpgsqlDataSource db, CancellationToken ct)
    {
        var code = iso3.ToUpperInvariant();
        if (code.Length != 3 || !code.All(char.IsAsciiLetterUpper))
            return Problems.Status(400, "Bad country code", $"'{iso3}' is not an ISO 3166-1 alpha-3 code (three letters, e.g. GHA).");
        return await ProfileAsync(db, "Assessment.Sql.country_profile.sql", code, ct) is { } profile
            ? TypedResults.Text(profile.ToJsonString(), "application/json")
            : Problems.NotFound($"A site in country {code}");
    }

    private static async Task<JsonObject?> ProfileAsync(NpgsqlDataSource db, string sql, object key, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(SqlResource.Load(sql));
        cmd.Parameters.Add(new() { Value = key });
        return await cmd.ExecuteScalarAsync(ct) is string json ? JsonNode.Parse(json)!.AsObject() : null;
    }
}
