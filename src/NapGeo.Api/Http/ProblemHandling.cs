using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace NapGeo.Http;

/// <summary>
/// Turns every exception that escapes a handler into RFC 9457 problem+json. Bad input becomes a 4xx that names
/// what is wrong; anything else is a 500 that says nothing about the server's insides.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = Classify(exception, context.Request.Query);
        if (status >= 500)
            log.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    private static (int Status, string Title, string Detail) Classify(Exception exception, IQueryCollection query) => exception switch
    {
        // The binder joins a repeated parameter's values with commas (limit=5&limit=6 is "5,6"): the repetition is the mistake.
        BadHttpRequestException bad when BindFailure().Match(bad.Message) is { Success: true } m && AsWritten(query, m.Groups["name"].Value) is { } name &&
                                         query[name].Count > 1 =>
            (400, "Invalid query parameter", $"{name}: is given {query[name].Count} times; give it once."),
        BadHttpRequestException bad when BindFailure().Match(bad.Message) is { Success: true } m && AsWritten(query, m.Groups["name"].Value) is { } name =>
            (400, "Invalid query parameter", $"{name}: '{m.Groups["value"].Value}' is not {Kind(m.Groups["type"].Value)}."),
        BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == 413 ? "Request too large" : "Bad request", bad.Message),
        System.Text.Json.JsonException json => (400, "Malformed JSON", json.Message),
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg =>
            (409, "Conflict", $"A row with the same {ConstraintSubject(pg)} already exists."),
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } pg =>
            (400, "Unknown reference", $"{ConstraintSubject(pg)} does not refer to an existing row."),
        PostgresException { SqlState: PostgresErrorCodes.CheckViolation or PostgresErrorCodes.NotNullViolation } pg =>
            (400, "Invalid value", $"The value breaks the rule {pg.ConstraintName ?? pg.ColumnName}."),
        // Class 22 is "data exception": a value the database could not take, so the caller's to fix.
        PostgresException { SqlState: [ '2', '2', .. ] } pg => (400, "Invalid value", pg.MessageText),
        // PostGIS reports coordinates it cannot project (e.g. a pole in Web Mercator) as an internal error named "transform".
        PostgresException { SqlState: "XX000" } pg when pg.MessageText.StartsWith("transform", StringComparison.OrdinalIgnoreCase) =>
            (400, "Coordinates out of range", $"The coordinates cannot be projected: {pg.MessageText}"),
        PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } =>
            (503, "Query timed out", "The database did not answer in time; try a smaller request."),
        // Npgsql's own timeouts (a command past its timeout, no free connection in the pool) are a busy database, not a
        // missing one: operators act differently on the two.
        NpgsqlException { InnerException: TimeoutException } =>
            (503, "Database busy", "The database did not answer in time (it is busy, or the data is locked by other work); retry shortly."),
        NpgsqlException { IsTransient: true } =>
            (503, "Database unavailable", "The database is not reachable right now."),
        OperationCanceledException => (499, "Request cancelled", "The client went away."),
        // Dates such as 9999-12-31 overflow when a day is added to make an interval: the input is out of range.
        ArgumentOutOfRangeException => (400, "Value out of range", "A value in the request (a date near year 9999?) is out of the supported range."),
        _ => (500, "Internal error", "The server failed; the error has been logged."),
    };

    // The binder's words for a query value of the wrong type name the handler's C# parameter ("Nullable<int> Limit");
    // the caller wrote limit=abc and should read about limit.
    [System.Text.RegularExpressions.GeneratedRegex("""^Failed to bind parameter "(?:Nullable<)?(?<type>\w+)>? (?<name>\w+)" from "(?<value>.*)"\.$""", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex BindFailure();

    /// <summary>The query parameter the binder's C# name stands for (EpsM for eps_m), as the caller wrote it; null if none.</summary>
    private static string? AsWritten(IQueryCollection query, string bound) =>
        query.Keys.FirstOrDefault(k => string.Equals(k.Replace("_", "").Replace("-", ""), bound, StringComparison.OrdinalIgnoreCase));

    private static string Kind(string type) => type switch
    {
        "int" or "long" or "short" => "a whole number",
        "double" or "float" or "decimal" => "a number",
        "Guid" => "a UUID",
        "bool" => "true or false",
        _ => $"a valid {type}",
    };

    // Constraint names follow PostgreSQL's default "<table>_<columns>_key|fkey" pattern; the columns are what the caller can act on.
    private static string ConstraintSubject(PostgresException pg)
    {
        var name = pg.ConstraintName ?? "value";
        if (pg.TableName is { } table && name.StartsWith(table + "_", StringComparison.Ordinal)) name = name[(table.Length + 1)..];
        name = name.EndsWith("_fkey", StringComparison.Ordinal) ? name[..^5] : name.EndsWith("_key", StringComparison.Ordinal) ? name[..^4] : name;
        return name == "campaign_external_id" ? "campaign and external_id" : name;
    }
}

/// <summary>Helpers that build the problem results the endpoints return.</summary>
public static class Problems
{
    public static ProblemHttpResult Status(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    public static ProblemHttpResult NotFound(string what) => Status(404, "Not found", $"{what} does not exist.");

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string detail = "The request has invalid fields; see errors.") =>
        TypedResults.ValidationProblem(errors, detail: detail, title: "Invalid input");
}
