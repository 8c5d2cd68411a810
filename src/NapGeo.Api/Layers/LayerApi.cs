using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NapGeo.Auth;
using NapGeo.Http;

namespace NapGeo.Layers;

/// <summary>
/// The REST resource of a layer: list, get, create, replace, patch and delete GeoJSON features under
/// <c>/api/{layer}</c>. Sites, hotspots and samples share it; their differences live in their definitions.
/// </summary>
public static class LayerApi
{
    public static RouteGroupBuilder MapLayer(this IEndpointRouteBuilder app, LayerDefinition layer)
    {
        var group = app.MapGroup($"/api/{layer.Name}").WithTags(layer.Title).WithMetadata(layer);
        var noun = layer.Noun;
        var plural = char.ToUpperInvariant(layer.Name[0]) + layer.Name[1..];
        var singular = char.ToUpperInvariant(noun[0]) + noun[1..];

        // HEAD too (RFC 9110 9.3.2), as on /ogc and /api/stats: a feature's validators without its body.
        group.MapGetAndHead("", List, b => b.RequireAuthorization(ApiKeyAuthentication.ReadPolicy))
            .WithName($"List{plural}")
            .WithSummary($"List {layer.Name} as a GeoJSON FeatureCollection")
            .WithDescription($"Filters: bbox (lon/lat), limit (1–{PageRequest.MaxLimit}, default {PageRequest.DefaultLimit}), offset, and equality on " +
                             string.Join(", ", layer.Fields.Where(f => f.Filterable).Select(f => f.Name)) + ".")
            .Produces(200, contentType: FeatureJson.ContentType);
        group.MapGetAndHead("/{id:guid}", Get, b => b.RequireAuthorization(ApiKeyAuthentication.ReadPolicy))
            .WithName($"Get{singular}")
            .WithSummary($"Get one {noun} as a GeoJSON Feature with its ETag")
            .Produces(200, contentType: FeatureJson.ContentType).Produces(304);
        group.MapPost("", Create).RequireAuthorization(ApiKeyAuthentication.EditPolicy)
            .WithName($"Create{singular}")
            .WithSummary($"Create a {noun} from a GeoJSON Feature (editor key)")
            .Accepts<JsonElement>(FeatureJson.ContentType, "application/json")
            .Produces(201, contentType: FeatureJson.ContentType);
        group.MapPut("/{id:guid}", Replace).RequireAuthorization(ApiKeyAuthentication.EditPolicy)
            .WithName($"Replace{singular}")
            .WithSummary($"Replace a {noun}; send If-Match with its ETag (editor key)")
            .Accepts<JsonElement>(FeatureJson.ContentType, "application/json")
            .Produces(200, contentType: FeatureJson.ContentType);
        group.MapPatch("/{id:guid}", Patch).RequireAuthorization(ApiKeyAuthentication.EditPolicy)
            .WithName($"Patch{singular}")
            .WithSummary($"Change some properties or the geometry of a {noun} (JSON merge patch of a Feature); send If-Match (editor key)")
            .Accepts<JsonElement>("application/merge-patch+json", FeatureJson.ContentType, "application/json")
            .Produces(200, contentType: FeatureJson.ContentType);
        group.MapDelete("/{id:guid}", Delete).RequireAuthorization(ApiKeyAuthentication.EditPolicy)
            .WithName($"Delete{singular}")
            .WithSummary($"Delete a {noun}; If-Match is honoured when sent (editor key)")
            .Produces(204);

        group.ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404)
            .ProducesProblem(409).ProducesProblem(412).ProducesProblem(428).ProducesValidationProblem();
        return group;
    }

    /// <summary>Query flags shared by the write operations.</summary>
    public sealed record WriteOptions(string? Crs, bool? Repair)
    {
        /// <summary>The names they are read under; a write refuses any other (<see cref="QueryParameters"/>).</summary>
        public static readonly string[] Names = ["crs", "repair"];
    }

    private static Results<FeatureCollectionResult, ValidationProblem> List(
        [AsParameters] PageRequest page, HttpRequest request, LayerStore store, EndpointLayer layer)
    {
        var errors = new ValidationErrors();
        var filter = LayerQuery.Parse(layer.Definition, page, request.Query, errors);
        LayerQuery.RefuseUnknown(layer.Definition, request.Query, errors);
        if (filter is null || !errors.IsEmpty) return Problems.Invalid(errors.ToDictionary(), "The query has invalid parameters; see errors.");
        return new FeatureCollectionResult(store, layer.Definition, filter, page.Limit ?? PageRequest.DefaultLimit, page.Offset ?? 0,
            LayerQuery.PageLinks(request));
    }

    private static async Task<Results<FeatureResult, ProblemHttpResult>> Get(Guid id, LayerStore store, EndpointLayer layer, CancellationToken ct) =>
        await store.RenderAsync(layer.Definition, id, ct) is { } found
            ? new FeatureResult(200, found.Json, found.Version)
            : Problems.NotFound($"{layer.Definition.Noun} {id}");

    private static async Task<Results<FeatureResult, ValidationProblem>> Create(
        [AsParameters] WriteOptions options, HttpRequest request, LayerStore store, FeatureInput input, EndpointLayer layer, CancellationToken ct)
    {
        if (QueryParameters.RefuseUnknown(request.Query, WriteOptions.Names, $"POST /api/{layer.Definition.Name}") is { } unknown) return unknown;
        var definition = layer.Definition;
        var errors = new ValidationErrors();
        using var body = await FeatureInput.ParseBodyAsync(request.Body, ct);
        var draft = await input.ReadAsync(body.RootElement, definition, null, options.Crs, options.Repair ?? false, errors, ct);
        if (draft is null) return Problems.Invalid(errors.ToDictionary());
        var (id, json, version) = await store.InsertAsync(definition, draft, request.HttpContext.User.ActorName(), ct);
        return new FeatureResult(201, json, version, $"{request.PathBase}/api/{definition.Name}/{id}");
    }

    private static Task<Results<FeatureResult, ValidationProblem, ProblemHttpResult>> Replace(
        Guid id, [AsParameters] WriteOptions options, HttpRequest request, LayerStore store, FeatureInput input, EndpointLayer layer, CancellationToken ct) =>
        Change(id, options, request, store, input, layer.Definition, patch: false, ct);

    private static Task<Results<FeatureResult, ValidationProblem, ProblemHttpResult>> Patch(
        Guid id, [AsParameters] WriteOptions options, HttpRequest request, LayerStore store, FeatureInput input, EndpointLayer layer, CancellationToken ct) =>
        Change(id, options, request, store, input, layer.Definition, patch: true, ct);

    private static async Task<Results<FeatureResult, ValidationProblem, ProblemHttpResult>> Change(
        Guid id, WriteOptions options, HttpRequest request, LayerStore store, FeatureInput input, LayerDefinition layer, bool patch, CancellationToken ct)
    {
        // Before the preconditions: a request the server does not understand is refused as such, whatever its If-Match.
        if (QueryParameters.RefuseUnknown(request.Query, WriteOptions.Names, $"{request.Method} /api/{layer.Name}/{{id}}") is { } unknown) return unknown;
        var anyVersion = IfMatchAny(request);
        var expectedVersions = ExpectedVersions(request);
        if (!anyVersion && expectedVersions is null) return MissingOrBadIfMatch(request);
        JsonDocument? body = null;
        try
        {
            // If-Match: * asks only that the feature exists (RFC 9110 13.1.1): a write landing between the read and the
            // update is no reason to refuse, so the change is applied again over the newer version.
            for (var attempt = 1; ; attempt++)
            {
                var stored = await store.LoadAsync(layer, id, ct);
                if (stored is null) return Problems.NotFound($"{layer.Noun} {id}");
                if (layer.ChangeRefusal?.Invoke(stored.Values) is { } refusal) return Refused(layer, id, refusal);
                if (!anyVersion && expectedVersions is []) return NoneCanMatch(layer, id);
                if (!anyVersion && !expectedVersions!.Contains(stored.Version)) return Stale(layer, id, stored.Version);
                if (FeatureResult.IfNoneMatchHits(request, FeatureResult.ETag(stored.Version))) return NoneMatchFailed(layer, id);

                body ??= await FeatureInput.ParseBodyAsync(request.Body, ct);
                var errors = new ValidationErrors();
                var draft = await input.ReadAsync(body.RootElement, layer, patch ? stored : null, options.Crs, options.Repair ?? false, errors, ct);
                if (draft is null) return Problems.Invalid(errors.ToDictionary());
                var (outcome, json, version) = await store.UpdateAsync(layer, id, stored.Version, draft, request.HttpContext.User.ActorName(), ct);
                if (outcome == WriteOutcome.VersionMismatch && anyVersion)
                {
                    if (attempt < MaxAnyVersionAttempts) continue;
                    return Problems.Status(409, "Conflict",
                        $"The {layer.Noun} {id} changed {attempt} times while this change was being applied; retry.");
                }
                return outcome switch
                {
                    WriteOutcome.NotFound => Problems.NotFound($"{layer.Noun} {id}"),
                    WriteOutcome.VersionMismatch => Stale(layer, id, null),
                    _ => new FeatureResult(200, json, version),
                };
            }
        }
        finally
        {
            body?.Dispose();
        }
    }

    /// <summary>How often an <c>If-Match: *</c> change is applied again before it gives up: each retry means another write
    /// to the feature succeeded meanwhile, so only a long burst of writers to one feature reaches it.</summary>
    private const int MaxAnyVersionAttempts = 32;

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Delete(
        Guid id, HttpRequest request, LayerStore store, EndpointLayer layer, CancellationToken ct)
    {
        if (QueryParameters.RefuseUnknown(request.Query, [], $"DELETE /api/{layer.Definition.Name}/{{id}}") is { } unknown) return unknown;
        var versions = ExpectedVersions(request);
        if (versions is null && request.Headers.IfMatch.Count > 0 && !IfMatchAny(request)) return MissingOrBadIfMatch(request);
        if (layer.Definition.ChangeRefusal is { } refuse)
        {
            if (await store.LoadAsync(layer.Definition, id, ct) is not { } current) return Problems.NotFound($"{layer.Definition.Noun} {id}");
            if (refuse(current.Values) is { } refusal) return Refused(layer.Definition, id, refusal);
        }
        if (versions is []) return NoneCanMatch(layer.Definition, id);
        int? expected = versions is [var only] ? only : null;
        if (versions is { Count: > 1 })
        {
            // Any tag of the list will do: the delete is then conditional on the one the feature has now.
            if (await store.LoadAsync(layer.Definition, id, ct) is not { } current) return Problems.NotFound($"{layer.Definition.Noun} {id}");
            if (!versions.Contains(current.Version)) return Stale(layer.Definition, id, null);
            expected = current.Version;
        }
        if (request.Headers.IfNoneMatch.Count > 0 && await store.LoadAsync(layer.Definition, id, ct) is { } stored &&
            FeatureResult.IfNoneMatchHits(request, FeatureResult.ETag(stored.Version)))
            return NoneMatchFailed(layer.Definition, id);
        return await store.DeleteAsync(layer.Definition, id, expected, request.HttpContext.User.ActorName(), ct) switch
        {
            WriteOutcome.NotFound => Problems.NotFound($"{layer.Definition.Noun} {id}"),
            WriteOutcome.VersionMismatch => Stale(layer.Definition, id, null),
            _ => TypedResults.NoContent(),
        };
    }

    /// <summary>
    /// The versions If-Match names: one ETag ("v3") or a list ("v3", "v4"; RFC 9110 13.1.1: the condition holds when any
    /// of them is the current one). Weak tags (W/"v3") and tags this API never gives ("V3", "v03") are left out: If-Match
    /// compares strongly and exactly, so they never match, and a list of only such tags gives none. Null when there is
    /// none, or the header is not a list of entity-tags at all.
    /// </summary>
    private static IReadOnlyList<int>? ExpectedVersions(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (header.Length == 0 || !EntityTags.TryParseList(header, out var tags)) return null;
        var versions = new List<int>();
        foreach (var (weak, tag) in tags)
            if (!weak && FeatureResult.TryParseETag(tag, out var version)) versions.Add(version);
        return versions;
    }

    /// <summary><c>If-Match: *</c> asks only that the feature exists (RFC 9110 §13.1.1).</summary>
    private static bool IfMatchAny(HttpRequest request) => request.Headers.IfMatch.ToString().Trim() == "*";

    private static ProblemHttpResult MissingOrBadIfMatch(HttpRequest request) =>
        request.Headers.IfMatch.Count == 0
            ? Problems.Status(428, "Precondition required",
                "Send If-Match with the feature's ETag (from GET) so that a concurrent change is not overwritten.")
            : Problems.Status(400, "Bad If-Match", $"If-Match '{request.Headers.IfMatch}' is not \"*\" or a list of entity-tags (e.g. \"v3\").");

    private static ProblemHttpResult Refused(LayerDefinition layer, Guid id, string reason) =>
        Problems.Status(409, $"This {layer.Noun} cannot be changed", $"The {layer.Noun} {id} was not changed. {reason}");

    private static ProblemHttpResult NoneCanMatch(LayerDefinition layer, Guid id) =>
        Problems.Status(412, "Precondition failed",
            $"If-Match names no ETag this {layer.Noun} can have, so the {layer.Noun} {id} was not changed: it compares strongly " +
            "(RFC 9110 13.1.1), so weak tags (W/…) never match, and tags are compared exactly as GET gave them (\"v3\").");

    /// <summary>
    /// If-None-Match on a write (RFC 9110 13.1.2): "*" or the current ETag means "only if it is not this", so nothing is
    /// written. The change used to be made and then answered 304 Not Modified, which says the opposite.
    /// </summary>
    private static ProblemHttpResult NoneMatchFailed(LayerDefinition layer, Guid id) =>
        Problems.Status(412, "Precondition failed",
            $"If-None-Match matches the {layer.Noun} {id} as it is now, so it was not changed.");

    private static ProblemHttpResult Stale(LayerDefinition layer, Guid id, int? current) =>
        Problems.Status(412, "Precondition failed",
            $"The {layer.Noun} {id} has changed since you read it" + (current is { } v ? $" (it is now at ETag \"v{v}\")" : "") +
            "; GET it again, reapply your change and retry.");
}

/// <summary>The layer an endpoint serves, taken from the route group's metadata.</summary>
public sealed record EndpointLayer(LayerDefinition Definition)
{
    public static ValueTask<EndpointLayer?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<EndpointLayer?>(context.GetEndpoint()?.Metadata.GetMetadata<LayerDefinition>() is { } layer ? new EndpointLayer(layer) : null);
}
