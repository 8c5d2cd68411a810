using System.CommandLine;
using System.Globalization;
using NapGeo.Layers;
using Npgsql;

namespace NapGeo.Features;

/// <summary>
/// <c>ogc sql</c>: prints the statement an items request runs for its rows, for pgbench and EXPLAIN (bench/features
/// uses it as the database floor), so the floor cannot drift from what the API sends.
/// </summary>
public static class FeaturesCli
{
    public static Command Command()
    {
        var collection = new Argument<string>("collection") { Description = string.Join(", ", LayerCatalog.All.Select(l => l.Name)) };
        var queryString = new Argument<string>("query") { Description = "The request's query string, e.g. \"bbox=-2,6,-1.9,6.1&limit=100\"", DefaultValueFactory = _ => "" };
        var sql = new Command("sql", "Print the SQL of an items page: one '-- $n = value' line per parameter, then the statement") { collection, queryString };
        sql.SetAction(parse =>
        {
            var name = parse.GetValue(collection)!;
            if (LayerCatalog.Find(name) is not { } layer)
            {
                Console.Error.WriteLine($"error: there is no collection '{name}'; collections: {string.Join(", ", LayerCatalog.All.Select(l => l.Name))}.");
                return 2;
            }
            var context = new DefaultHttpContext();
            context.Request.QueryString = new QueryString("?" + parse.GetValue(queryString)!.TrimStart('?'));
            var errors = new ValidationErrors();
            if (ItemsQuery.Parse(layer, context.Request, paged: true, errors) is not { } query)
            {
                foreach (var (field, messages) in errors.ToDictionary()) Console.Error.WriteLine($"error: {field}: {string.Join(" ", messages)}");
                return 2;
            }
            var parameters = new NpgsqlCommand().Parameters;
            var statement = FeatureReader.PageSql(query, parameters);
            for (var i = 0; i < parameters.Count; i++)
                Console.WriteLine($"-- ${(i + 1).ToString(CultureInfo.InvariantCulture)} = {Literal(parameters[i].Value)}");
            Console.WriteLine(statement);
            return 0;
        });
        return new Command("ogc", "OGC API – Features") { sql };
    }

    /// <summary>A value as it can be pasted into EXPLAIN: instants in ISO 8601 with their offset, not month-first.</summary>
    private static string? Literal(object? value) => value switch
    {
        DateTime t => t.ToString("o", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("o", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
