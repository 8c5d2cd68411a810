using System.Text.Json;
using NetTopologySuite.Geometries;

namespace NapGeo.Layers;

public enum FieldKind { Text, Integer, Number, Boolean, Date, Timestamp, Uuid }

/// <summary>Who sets a field: the client, the layer's rules (stored by the API), or the database (triggers).</summary>
public enum FieldSource { Client, Rules, Database }

/// <summary>
/// One attribute of a layer. The property name in GeoJSON is the column name: this list is the fixed set of
/// identifiers that SQL is built from, so no identifier ever comes from a request.
/// </summary>
public sealed record Field(string Name, FieldKind Kind, string Description)
{
    public bool Required { get; init; }
    /// <summary>Closed vocabulary of lower-case codes; see <see cref="AllowedCode"/> for how input is matched to them.</summary>
    public IReadOnlyList<string>? Allowed { get; init; }

    /// <summary>
    /// The code of <see cref="Allowed"/> that <paramref name="text"/> spells, or null: case, and spaces or hyphens for
    /// underscores, do not matter ("Active", "Hard rock", "formalization-in-progress"), as spreadsheets and GIS attribute
    /// tables write them.
    /// </summary>
    public string? AllowedCode(string text)
    {
        if (Allowed is null) return text;
        var key = text.Trim().Replace(' ', '_').Replace('-', '_');
        return Allowed.FirstOrDefault(code => string.Equals(code, key, StringComparison.OrdinalIgnoreCase));
    }
    /// <summary>
    /// Holds ISO 3166-1 alpha-3 codes (<see cref="CountryCodes"/>), or the one other code <see cref="OtherCode"/>: a
    /// filter is read in capitals, and one that cannot be such a code is a 400 rather than an empty list.
    /// </summary>
    public bool CountryCode { get; init; }
    /// <summary>With <see cref="CountryCode"/>: the one stored code that is not a country's (guideline_set's 'default').</summary>
    public string? OtherCode { get; init; }

    /// <summary>The stored form of a country-code filter, or null when it cannot be one (see <see cref="CountryCode"/>).</summary>
    public string? StoredCode(string text)
    {
        if (OtherCode is { } other && string.Equals(text, other, StringComparison.OrdinalIgnoreCase)) return other;
        var code = text.ToUpperInvariant();
        return CountryCodes.IsAlpha3(code) ? code : null;
    }
    /// <summary>
    /// A code that names one record (site_code, a sample's external_id and campaign): Unicode format characters are
    /// dropped from it (<see cref="Visible"/>). They are invisible, so "REV-1" followed by U+200B passed the unique check
    /// beside "REV-1", and U+200B alone passed "required".
    /// </summary>
    public bool Identifier { get; init; }

    /// <summary>
    /// <paramref name="text"/> without the format characters (category Cf: zero-width spaces and joiners, bidi marks, soft
    /// hyphens, BOMs) of an <see cref="Identifier"/>, as the statistics drop zero-width ones from admin1 names; other
    /// fields' text as it is (a zero-width joiner belongs in some scripts' words and in emoji).
    /// </summary>
    public string Visible(string text)
    {
        if (!Identifier) return text;
        var kept = new System.Text.StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
            if (System.Text.Rune.GetUnicodeCategory(rune) != System.Globalization.UnicodeCategory.Format) kept.Append(rune.ToString());
        return kept.Length == text.Length ? text : kept.ToString();
    }

    /// <summary>Usable as <c>?name=value</c> on the list endpoint.</summary>
    public bool Filterable { get; init; }
    public FieldSource Source { get; init; } = FieldSource.Client;
    /// <summary>Computed by the server; ignored on input.</summary>
    public bool ReadOnly => Source != FieldSource.Client;
    public int MaxLength { get; init; } = 4000;
    /// <summary>Value used when a create omits the field (matches the column default).</summary>
    public object? Default { get; init; }
    /// <summary>Stored NOT NULL although neither required nor defaulted here: the server always sets it.</summary>
    public bool NotNull { get; init; }
    /// <summary>Whether a feature may have no value (JSON null): as the column is declared.</summary>
    public bool Nullable => !(Required || Default is not null || NotNull);
    /// <summary>A uuid field with a foreign key: the layer (table) whose id it holds.</summary>
    public string? References { get; init; }
}

/// <summary>A feature's time: one date or timestamp field (an instant), or a start and an optional end field.</summary>
public sealed record LayerTime(string Start, string? End = null);

/// <summary>What a layer (table) is: its fields, the geometries it takes and any layer-specific rules.</summary>
public sealed class LayerDefinition
{
    public required string Name { get; init; }
    public required string Title { get; init; }
    /// <summary>The singular noun used in messages ("site").</summary>
    public required string Noun { get; init; }
    public required IReadOnlyList<Field> Fields { get; init; }
    public required IReadOnlyList<OgcGeometryType> GeometryTypes { get; init; }
    /// <summary>Polygons are stored as MultiPolygon (the sites column is typed MultiPolygon).</summary>
    public bool PromotePolygons { get; init; }
    /// <summary>Text fields that <c>?q=</c> searches (case-insensitive substring).</summary>
    public IReadOnlyList<string> SearchFields { get; init; } = [];
    /// <summary>The list order, made of field names; id breaks ties.</summary>
    public required string OrderBy { get; init; }
    /// <summary>The field(s) that date a feature: the OGC <c>datetime</c> filter and MapX's mx_t0/mx_t1 use them.</summary>
    public LayerTime? Time { get; init; }
    /// <summary>
    /// A point layer's stored point(lon, lat) column, GiST-indexed with the <see cref="OrderBy"/> fields and id
    /// included (migration 0050): a box's count and its page's order then come from the index alone.
    /// </summary>
    public string? CoveringPoint { get; init; }
    /// <summary>
    /// Layer rules that need several fields at once (e.g. unit normalization); runs after each field is parsed
    /// and may set read-only fields. Adds messages to <c>errors</c> keyed by property path.
    /// </summary>
    public Action<IDictionary<string, object?>, ValidationErrors>? Validate { get; init; }

    /// <summary>
    /// Why a stored feature (its values) may not be changed or deleted through the API, or null when it may: a write the
    /// server itself would undo must be refused (409), not accepted and then lost.
    /// </summary>
    public Func<IReadOnlyDictionary<string, object?>, string?>? ChangeRefusal { get; init; }

    public IEnumerable<Field> Writable => Fields.Where(f => !f.ReadOnly);

    /// <summary>Every geometry is a point (the column is typed Point).</summary>
    public bool IsPointLayer => GeometryTypes.All(t => t == OgcGeometryType.Point);

    private JsonEncodedText[]? _jsonNames;

    /// <summary>The fields' names as JSON property names, encoded once (in <see cref="Fields"/> order).</summary>
    public IReadOnlyList<JsonEncodedText> JsonNames => _jsonNames ??= [.. Fields.Select(f => JsonEncodedText.Encode(f.Name))];

    public Field? Find(string name) => Fields.FirstOrDefault(f => f.Name == name);
}
