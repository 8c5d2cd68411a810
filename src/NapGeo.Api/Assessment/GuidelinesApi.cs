using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using NapGeo.Auth;
using NapGeo.Http;
using NapGeo.Layers;
using NapGeo.Samples;

namespace NapGeo.Assessment;

/// <summary><c>/api/guidelines</c>: the guideline sets samples are assessed against; national sets are edited by admins.</summary>
public static partial class GuidelinesApi
{
    public const string Rule =
        "A sample is compared with the default guideline for its matrix and normalized unit in the set of its site's country " +
        "(a national set named by the ISO 3166-1 alpha-3 code); when that set has none, or the sample has no site, the 'default' " +
        "(international) set applies. Classes: below (ratio ≤ 1), above (> 1), high (≥ high_multiplier), critical (≥ critical_multiplier); " +
        "a below-detection sample has no ratio, and is below when its detection limit is at or under the guideline; when the limit " +
        "is above it, the sample cannot tell and has no class.";

    public sealed record Overview(double HighMultiplier, double CriticalMultiplier, string Rule, IReadOnlyList<GuidelineSet> Sets);

    public sealed record GuidelineInput(
        string? Id, string? Matrix, double? Value, string? Unit, bool? IsDefault, string? Name, string? Protects, string? Source,
        string? Url, int? Year, string? Verified, string? Note);

    public sealed record SetInput(string? Name, string? Description, List<GuidelineInput?>? Guidelines);

    public sealed record SetChanged(GuidelineSet Set, long ReassessedSamples);

    public sealed record SetDeleted(string Code, long ReassessedSamples);

    public static RouteGroupBuilder MapGuidelines(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/guidelines").WithTags("Mercury assessment");
        group.MapGetAndHead("", List, b => b.RequireAuthorization(ApiKeyAuthentication.ReadPolicy))
            .WithName("ListGuidelines").WithSummary("Guideline sets, class multipliers and the rule that picks a sample's guideline");
        group.MapGetAndHead("/{code}", Get, b => b.RequireAuthorization(ApiKeyAuthentication.ReadPolicy))
            .WithName("GetGuidelineSet").WithSummary("One guideline set ('default' or a country's ISO3 code)");
        group.MapPut("/{code}", Put).RequireAuthorization(ApiKeyAuthentication.AdminPolicy)
            .Accepts<SetInput>("application/json")
            .WithName("PutGuidelineSet")
            .WithSummary("Create or replace a country's national guideline set (admin key); re-assesses all samples")
            .WithDescription("Values are converted to the matrix's canonical unit. One guideline per matrix and unit basis is the default " +
                             "(is_default; implied when it is the only one). Matrices the set leaves out use the default set.");
        group.MapDelete("/{code}", Delete).RequireAuthorization(ApiKeyAuthentication.AdminPolicy)
            .WithName("DeleteGuidelineSet").WithSummary("Remove a national set (admin key); its samples fall back to the default set");
        group.MapGetAndHead("/{code}/history", History, b => b.RequireAuthorization(ApiKeyAuthentication.ReadPolicy))
            .WithName("GetGuidelineSetHistory")
            .WithSummary("Every change of a guideline set, newest first: when, by whom (the API key's name), and the set before and after");
        group.ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
        return group;
    }

    private static async Task<Ok<Overview>> List(GuidelineStore store, CancellationToken ct)
    {
        var multipliers = await store.MultipliersAsync(ct);
        return TypedResults.Ok(new Overview(multipliers.High, multipliers.Critical, Rule, await store.ListAsync(ct)));
    }

    /// <summary>One set, with its version as a strong ETag (per content coding, see ContentCodings) for If-Match on PUT and DELETE.</summary>
    private static async Task<Results<Ok<GuidelineSet>, StatusCodeHttpResult, ProblemHttpResult>> Get(
        string code, HttpContext context, GuidelineStore store, CancellationToken ct)
    {
        if (await store.GetAsync(Code(code), ct) is not { } set) return Problems.NotFound($"Guideline set '{code}'");
        var response = context.Response;
        response.ContentType = "application/json; charset=utf-8"; // the coding is decided from it
        var etag = ContentCodings.Tag(SetCondition.ETag(set.Version), ContentCodings.Of(context));
        response.Headers.ETag = etag;
        if (!ContentCodings.IfNoneMatchHits(context.Request, etag)) return TypedResults.Ok(set);
        response.ContentType = null;
        return TypedResults.StatusCode(304);
    }

    private static async Task<Results<Ok<IReadOnlyList<GuidelineSetChange>>, ProblemHttpResult>> History(string code, GuidelineStore store, CancellationToken ct) =>
        await store.HistoryAsync(Code(code), ct) is { Count: > 0 } changes ? TypedResults.Ok(changes) : Problems.NotFound($"History of guideline set '{code}'");

    private static async Task<Results<Ok<SetChanged>, ValidationProblem, ProblemHttpResult>> Put(
        string code, HttpContext context, GuidelineStore store, CancellationToken ct)
    {
        if (QueryParameters.RefuseUnknown(context.Request.Query, [], "PUT /api/guidelines/{code}") is { } unknown) return unknown;
        if (SetCondition.Read(context.Request, out var badCondition) is not { } condition) return badCondition!;
        code = Code(code);
        if (code == GuidelineStore.DefaultSet)
            return Problems.Status(409, "Managed by data/guidelines.csv",
                "The default (international) set is seeded from data/guidelines.csv at start-up; add a national set (PUT /api/guidelines/{ISO3}) instead.");
        var errors = new ValidationErrors();
        using var body = await FeatureInput.ParseBodyAsync(context.Request.Body, ct);
        var input = GuidelineSetReader.Read(body.RootElement, errors);
        var guidelines = input is null ? [] : Validate(input, errors);
        if (!CountryCodes.IsAlpha3(code)) errors.Add("code", CountryCodes.Problem(code));
        if (!errors.IsEmpty || input is null) return Problems.Invalid(errors.ToDictionary());
        var write = await store.ReplaceAsync(code, input.Name!, input.Description, guidelines, context.User.ActorName(), condition, ct);
        if (write.ConditionFailed) return SetCondition.Failed(code, write.CurrentVersion);
        return TypedResults.Ok(new SetChanged((await store.GetAsync(code, ct))!, write.Reassessed));
    }

    private static async Task<Results<Ok<SetDeleted>, ValidationProblem, ProblemHttpResult>> Delete(
        string code, HttpContext context, GuidelineStore store, CancellationToken ct)
    {
        if (QueryParameters.RefuseUnknown(context.Request.Query, [], "DELETE /api/guidelines/{code}") is { } unknown) return unknown;
        if (SetCondition.Read(context.Request, out var badCondition) is not { } condition) return badCondition!;
        code = Code(code);
        if (code == GuidelineStore.DefaultSet)
            return Problems.Status(409, "Managed by data/guidelines.csv", "The default (international) set cannot be removed.");
        if (await store.DeleteAsync(code, context.User.ActorName(), condition, ct) is not { } write) return Problems.NotFound($"Guideline set '{code}'");
        if (write.ConditionFailed) return SetCondition.Failed(code, write.CurrentVersion);
        return TypedResults.Ok(new SetDeleted(code, write.Reassessed));
    }

    private static string Code(string code) => code == GuidelineStore.DefaultSet ? code : code.ToUpperInvariant();

    // In the canonical units (mg/kg, µg/L, µg/g, ng/m³) far below any real guideline. Samples reach 1e12 in their own unit:
    // against 1e-300 µg/L their ratio overflowed, and valid samples were refused.
    private const double SmallestGuideline = 1e-6;

    private static List<Guideline> Validate(SetInput input, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > 200) errors.Add("name", "is required (1–200 characters).");
        CheckLength(errors, "description", input.Description, 2000);
        if (input.Guidelines is not { Count: > 0 } rows)
        {
            errors.Add("guidelines", "must list at least one guideline.");
            return [];
        }
        var parsed = new List<(Guideline Row, bool Explicit)>();
        for (var i = 0; i < rows.Count; i++)
        {
            var g = rows[i];
            var path = $"guidelines[{i}]";
            if (g is null)
            {
                errors.Add(path, "must be an object with id, matrix, value, unit, name and source.");
                continue;
            }
            var ok = true;
            void Fail(string field, string message) { errors.Add($"{path}.{field}", message); ok = false; }
            if (g.Id is null || !GuidelineId().IsMatch(g.Id)) Fail("id", "is required: lower-case letters, digits, '.', '_' or '-' (up to 100).");
            if (g.Matrix is null || !Units.Matrices.Contains(g.Matrix) || g.Matrix == "other")
                Fail("matrix", $"must be one of {string.Join(", ", Units.Matrices.Where(m => m != "other"))}.");
            if (g.Value is not { } v || !(v > 0) || !double.IsFinite(v)) Fail("value", "must be a positive number.");
            if (string.IsNullOrWhiteSpace(g.Name)) Fail("name", "is required.");
            if (string.IsNullOrWhiteSpace(g.Source)) Fail("source", "is required: cite the standard (document, year).");
            foreach (var (field, text, limit) in new[] { ("name", g.Name, 200), ("unit", g.Unit, 40), ("protects", g.Protects, 500), ("source", g.Source, 500),
                         ("url", g.Url, 2000), ("verified", g.Verified, 200), ("note", g.Note, 2000) })
                if (!CheckLength(errors, $"{path}.{field}", text, limit)) ok = false;
            // A citation readers follow from a dashboard: javascript: or file: links are not sources.
            if (g.Url is not null && !(Uri.TryCreate(g.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
                Fail("url", "must be an http:// or https:// address.");
            var latestYear = DateTime.UtcNow.Year + 1;
            if (g.Year is < 1900 || g.Year > latestYear) Fail("year", $"must be a year from 1900 to {latestYear} (when the standard was issued).");
            Units.Normalization? normalization = null;
            if (g.Unit is null) Fail("unit", "is required.");
            else if (g.Matrix is not null && Units.Matrices.Contains(g.Matrix) && (normalization = Units.Normalize(g.Matrix, g.Unit, out var problem)) is null)
                Fail("unit", problem!);
            if (!ok || normalization is null) continue;
            var canonical = normalization.Of(g.Value!.Value);
            if (canonical is < SmallestGuideline or > FeatureInput.MaxMagnitude)
            {
                Fail("value", $"is {canonical:G4} {normalization.Unit}; a guideline must lie between {SmallestGuideline:0e0} and {FeatureInput.MaxMagnitude:0e0} {normalization.Unit}.");
                continue;
            }
            parsed.Add((new Guideline(g.Id!, g.Matrix!, canonical, normalization.Unit, g.IsDefault ?? false, g.Name!,
                g.Protects, g.Source!, g.Url, g.Year, g.Verified, g.Note), g.IsDefault is not null));
        }
        foreach (var duplicate in parsed.GroupBy(p => p.Row.Id).Where(d => d.Count() > 1))
            errors.Add("guidelines", $"id '{duplicate.Key}' is used more than once.");
        var result = new List<Guideline>();
        foreach (var basis in parsed.GroupBy(p => (p.Row.Matrix, p.Row.Unit)))
        {
            var defaults = basis.Count(p => p.Row.IsDefault);
            if (basis.Count() == 1 && !basis.First().Explicit) result.Add(basis.First().Row with { IsDefault = true });
            else if (defaults != 1)
            {
                errors.Add("guidelines", $"{basis.Key.Matrix} in {basis.Key.Unit} has {defaults} defaults: mark exactly one with is_default = true.");
            }
            else result.AddRange(basis.Select(p => p.Row));
        }
        return result;
    }

    /// <summary>False, with a message, when <paramref name="text"/> is longer than <paramref name="limit"/> characters.</summary>
    private static bool CheckLength(ValidationErrors errors, string path, string? text, int limit)
    {
        if (text is null || text.Length <= limit) return true;
        errors.Add(path, $"is longer than {limit} characters.");
        return false;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$")]
    private static partial Regex GuidelineId();
}
