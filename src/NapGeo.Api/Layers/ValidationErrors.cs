namespace NapGeo.Layers;

/// <summary>Field-level messages keyed by JSON path ("properties.unit", "geometry"), as RFC 9457 <c>errors</c>.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _byPath = new(StringComparer.Ordinal);

    public bool IsEmpty => _byPath.Count == 0;

    public void Add(string path, string message)
    {
        if (!_byPath.TryGetValue(path, out var list)) _byPath[path] = list = [];
        // A value read twice (an instant is both ends of datetime=) would otherwise be told twice.
        if (!list.Contains(message)) list.Add(message);
    }

    public void AddProperty(string field, string message) => Add("properties." + field, message);

    public bool HasProperty(string field) => _byPath.ContainsKey("properties." + field);

    public IDictionary<string, string[]> ToDictionary() => _byPath.ToDictionary(p => p.Key, p => p.Value.ToArray());
}
