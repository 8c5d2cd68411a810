using System.Collections.Concurrent;
using System.Reflection;

namespace NapGeo.Database;

/// <summary>SQL kept in embedded <c>.sql</c> files next to the feature that uses it.</summary>
public static class SqlResource
{
    private static readonly ConcurrentDictionary<string, string> Cache = new();

    /// <param name="relativeName">Path below the project with dots, e.g. <c>Tiles.Sql.sites.sql</c>.</param>
    public static string Load(string relativeName) => Cache.GetOrAdd(relativeName, static name =>
    {
        var assembly = Assembly.GetExecutingAssembly();
        // Resource names follow the root namespace, not the assembly name.
        var resource = $"NapGeo.{name}";
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded SQL {resource} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
