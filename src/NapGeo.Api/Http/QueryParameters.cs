using Microsoft.AspNetCore.Http.HttpResults;
using NapGeo.Layers;

namespace NapGeo.Http;

/// <summary>
/// Query parameters an operation does not take. Ignored, a misspelt one (?eps=2000 for eps_m) made the operation run
/// as if it had not been sent, with defaults the caller meant to change, and reported success.
/// </summary>
public static class QueryParameters
{
    /// <summary>
    /// A 400 naming each parameter of the query that is not among <paramref name="accepted"/> and saying which are, or
    /// null when there is none. Names match without regard to case, as ASP.NET Core binds them.
    /// </summary>
    public static ValidationProblem? RefuseUnknown(IQueryCollection query, IReadOnlyCollection<string> accepted, string operation)
    {
        var errors = new ValidationErrors();
        foreach (var name in query.Keys)
            if (!accepted.Contains(name, StringComparer.OrdinalIgnoreCase))
                errors.Add(name, accepted.Count == 0
                    ? $"is not a parameter of {operation}, which takes none."
                    : $"is not a parameter of {operation}; use {string.Join(", ", accepted)}.");
        return errors.IsEmpty ? null : Problems.Invalid(errors.ToDictionary(), "The query has invalid parameters; see errors.");
    }
}
