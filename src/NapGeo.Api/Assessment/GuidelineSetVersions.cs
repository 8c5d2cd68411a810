using Microsoft.AspNetCore.Http.HttpResults;
using NapGeo.Http;
using NapGeo.Layers;

namespace NapGeo.Assessment;

/// <summary>
/// What If-Match and If-None-Match ask of a guideline set's version (RFC 9110 13.1), with the tags GET gives ("v3").
/// Without them a write applies as it did before sets had versions; with them, two admins editing one set learn of each
/// other (412) instead of the later one silently replacing the other's values.
/// </summary>
public sealed record SetCondition(IReadOnlyList<int>? Match, bool MatchAny, IReadOnlyList<int>? NoneMatch, bool NoneMatchAny)
{
    public static readonly SetCondition None = new(null, false, null, false);

    /// <summary>Whether the condition holds for the set's current <paramref name="version"/> (null: there is no such set).</summary>
    public bool Holds(int? version) =>
        !(MatchAny && version is null)
        && !(Match is not null && (version is not { } current || !Match.Contains(current)))
        && !(NoneMatchAny && version is not null)
        && !(NoneMatch is not null && version is { } v && NoneMatch.Contains(v));

    /// <summary>The strong tag of a set's version, as <see cref="FeatureResult"/> tags a feature's.</summary>
    public static string ETag(int version) => FeatureResult.ETag(version);

    /// <summary>The condition a write's headers state, or null with a 400 when one is neither "*" nor a list of entity-tags.</summary>
    public static SetCondition? Read(HttpRequest request, out ProblemHttpResult? problem)
    {
        problem = null;
        var match = Versions(request.Headers.IfMatch.ToString(), weakCompare: false);
        var none = Versions(request.Headers.IfNoneMatch.ToString(), weakCompare: true);
        if (match.Ok && none.Ok) return new SetCondition(match.Versions, match.Any, none.Versions, none.Any);
        problem = Problems.Status(400, "Bad precondition",
            $"{(match.Ok ? "If-None-Match" : "If-Match")} must be \"*\" or a list of entity-tags such as \"v3\" (the ETag of GET /api/guidelines/{{code}}).");
        return null;
    }

    // If-Match compares strongly: a weak tag never matches (13.1.1). If-None-Match compares weakly (13.1.2).
    private static (IReadOnlyList<int>? Versions, bool Any, bool Ok) Versions(string header, bool weakCompare)
    {
        if (header.Length == 0) return (null, false, true);
        if (header.Trim() == "*") return (null, true, true);
        if (!EntityTags.TryParseList(header, out var tags)) return (null, false, false);
        var versions = new List<int>();
        foreach (var (weak, tag) in tags)
            if ((weakCompare || !weak) && FeatureResult.TryParseETag(tag, out var version)) versions.Add(version);
        return (versions, false, true);
    }

    /// <summary>The 412 of a write whose condition did not hold, with the version to read again.</summary>
    public static ProblemHttpResult Failed(string code, int? current) =>
        Problems.Status(412, "Guideline set changed",
            current is { } version
                ? $"Guideline set '{code}' is now at {ETag(version)}, which the request's If-Match or If-None-Match rules out; GET it again and reapply the change."
                : $"There is no guideline set '{code}', which the request's If-Match requires.");
}
