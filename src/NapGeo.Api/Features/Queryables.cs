using System.Collections.Concurrent;
using NapGeo.Layers;

namespace NapGeo.Features;

/// <summary>A property a filter or sortby may name; the column is the field name from the layer definition.</summary>
public sealed record Queryable(string Name, string Column, FieldKind Kind, bool IsGeometry, string Description, IReadOnlyList<string>? Allowed)
{
    /// <summary>A feature may have no value: its property is JSON null.</summary>
    public bool Nullable { get; init; }

    /// <summary>
    /// The JSON Schema type and format of its values, for the queryables and the OpenAPI document alike (one source, so
    /// a field added to a layer is typed the same in both).
    /// </summary>
    public (string Type, string? Format) JsonType => Kind switch
    {
        FieldKind.Integer => ("integer", null),
        FieldKind.Number => ("number", null),
        FieldKind.Boolean => ("boolean", null),
        FieldKind.Date => ("string", "date"),
        FieldKind.Timestamp => ("string", "date-time"),
        FieldKind.Uuid => ("string", "uuid"),
        _ => ("string", null),
    };
}

/// <summary>The queryables of a layer: its fields as defined, the feature id, the record's times, and the geometry.</summary>
public sealed class Queryables
{
    public const string GeometryName = "geometry";
    private static readonly ConcurrentDictionary<string, Queryables> Cache = new();
    private readonly Dictionary<string, Queryable> _byName;

    private Queryables(LayerDefinition layer)
    {
        All =
        [
            new("id", "id", FieldKind.Uuid, false, "Feature id", null),
            .. layer.Fields.Concat(RecordTimes).Select(f => new Queryable(f.Name, f.Name, f.Kind, false, f.Description, f.Allowed) { Nullable = f.Nullable }),
            new(GeometryName, "geom", FieldKind.Text, true, $"The {layer.Noun}'s geometry (use S_INTERSECTS etc.)", null),
        ];
        _byName = All.ToDictionary(q => q.Name, StringComparer.Ordinal);
    }

    /// <summary>
    /// The record's own times, columns of every layer's table set by the database: the features README promises them
    /// to dashboards syncing what changed (filter=updated_at > TIMESTAMP('…')&amp;sortby=updated_at), which could only
    /// download everything and compare while these were no queryables. Written in full, not as a day.
    /// </summary>
    public static readonly IReadOnlyList<Field> RecordTimes =
    [
        new("created_at", FieldKind.Timestamp, "When the feature was stored (an instant, written in full)") { NotNull = true, Source = FieldSource.Database },
        new("updated_at", FieldKind.Timestamp, "When the feature was last changed (an instant, written in full); " +
                                               "filter=updated_at > TIMESTAMP('…')&sortby=updated_at gives the changes since") { NotNull = true, Source = FieldSource.Database },
    ];

    public static Queryables For(LayerDefinition layer) => Cache.GetOrAdd(layer.Name, _ => new Queryables(layer));

    public IReadOnlyList<Queryable> All { get; }

    public IEnumerable<string> Names => All.Select(q => q.Name);

    public Queryable? Find(string name) => _byName.GetValueOrDefault(name);
}
