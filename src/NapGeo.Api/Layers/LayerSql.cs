using NpgsqlTypes;

namespace NapGeo.Layers;

/// <summary>
/// SQL for a layer, built once from its <see cref="LayerDefinition"/>. Column names come only from the
/// definition's fixed field list; every value is a bound parameter.
/// </summary>
public sealed class LayerSql
{
    /// <summary>Ordinal of the first field in <see cref="Select"/>: id, version, created_at, updated_at, geometry come first.</summary>
    public const int FirstFieldOrdinal = 5;

    public LayerSql(LayerDefinition layer)
    {
        var fields = string.Join(", ", layer.Fields.Select(f => f.Name));
        Select = $"SELECT id, version, created_at, updated_at, ST_AsGeoJSON(ST_ForcePolygonCCW(geom), 7), {fields} FROM {layer.Name}";
        SelectWithGeometry = $"SELECT id, version, created_at, updated_at, ST_AsGeoJSON(ST_ForcePolygonCCW(geom), 7), {fields}, geom FROM {layer.Name}";
        Stored = layer.Fields.Where(f => f.Source != FieldSource.Database).ToList();
        var columns = string.Join(", ", Stored.Select(f => f.Name));
        var placeholders = string.Join(", ", Stored.Select((f, i) => Value(f, i + 2)));
        Insert = $"INSERT INTO {layer.Name} (geom, {columns}) VALUES ($1, {placeholders}) RETURNING id";
        InsertWithIdIfNew = $"INSERT INTO {layer.Name} (geom, {columns}, id) VALUES ($1, {placeholders}, ${Stored.Count + 2}) ON CONFLICT DO NOTHING";
        var assignments = string.Join(", ", Stored.Select((f, i) => $"{f.Name} = {Value(f, i + 2)}"));
        var idParameter = Stored.Count + 2;
        Update = $"UPDATE {layer.Name} SET geom = $1, {assignments} WHERE id = ${idParameter} AND version = ${idParameter + 1} RETURNING version";
        Delete = $"DELETE FROM {layer.Name} WHERE id = $1 AND ($2::integer IS NULL OR version = $2) RETURNING version";
        Exists = $"SELECT version FROM {layer.Name} WHERE id = $1";
        OrderBy = $" ORDER BY {layer.OrderBy}, id";
    }

    /// <summary>
    /// Text in one Unicode form (NFC): "Région" with é as one character or as e + a combining accent is one admin1 area,
    /// and a filter typed either way finds it. PostgreSQL composes it: .NET runs here without ICU (invariant globalization),
    /// where string.Normalize leaves non-ASCII text as it is.
    /// </summary>
    public static string Composed(string sql) => $"normalize({sql}, NFC)";

    private static string Value(Field field, int parameter) =>
        field.Kind == FieldKind.Text ? Composed($"${parameter}::text") : $"${parameter}";

    public string Select { get; }
    public string SelectWithGeometry { get; }
    /// <summary>The fields an insert or update writes, in parameter order after the geometry.</summary>
    public IReadOnlyList<Field> Stored { get; }
    public string Insert { get; }
    /// <summary>Insert with a caller-chosen id (the last parameter), skipped when the id or a unique key exists.</summary>
    public string InsertWithIdIfNew { get; }
    public string Update { get; }
    public string Delete { get; }
    public string Exists { get; }
    public string OrderBy { get; }

    /// <summary>
    /// Features meeting the lon/lat box held by parameters $first…$first+3 (min lon, min lat, max lon, max lat).
    /// <c>&amp;&amp;</c> finds the candidates in the GiST index; for a point, comparing its coordinates is then exact and
    /// far cheaper than ST_Intersects, which polygons need. A layer with a <see cref="LayerDefinition.CoveringPoint"/>
    /// is searched through it instead, so the index alone can answer.
    /// </summary>
    /// <summary>
    /// The condition that a feature lies in a lon/lat box, its corners bound to <paramref name="parameters"/>. A west edge
    /// east of the east edge crosses the antimeridian (OGC API – Features Part 1, 7.15.3: 170,0,-170,10): the box is its
    /// two halves, each one the index answers. Used by the REST lists and by OGC's bbox alike.
    /// </summary>
    public static string BboxClause(LayerDefinition layer, Npgsql.NpgsqlParameterCollection parameters, double west, double south, double east, double north)
    {
        string Box(double w, double e)
        {
            var first = parameters.Count + 1;
            foreach (var v in (double[])[w, south, e, north])
                parameters.Add(new Npgsql.NpgsqlParameter { Value = v, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
            return BboxClause(layer, first);
        }
        return west <= east ? Box(west, east) : $"({Box(west, 180)} OR {Box(-180, east)})";
    }

    private static string BboxClause(LayerDefinition layer, int first)
    {
        string P(int i) => "$" + (first + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // PostgreSQL's geometric operators such as <@ allow a tolerance of 1e-6, so the coordinates are compared again, exactly.
        if (layer.CoveringPoint is { } point)
            return $"({point} <@ box(point({P(0)}, {P(1)}), point({P(2)}, {P(3)})) AND {point}[0] BETWEEN {P(0)} AND {P(2)} AND {point}[1] BETWEEN {P(1)} AND {P(3)})";
        var box = $"ST_MakeEnvelope({P(0)}, {P(1)}, {P(2)}, {P(3)}, 4326)";
        return layer.IsPointLayer
            ? $"(geom && {box} AND ST_X(geom) BETWEEN {P(0)} AND {P(2)} AND ST_Y(geom) BETWEEN {P(1)} AND {P(3)})"
            : $"(geom && {box} AND ST_Intersects(geom, {box}))";
    }

    /// <summary>The columns of the default order, id last (the order <see cref="OrderBy"/> sorts by).</summary>
    public static IReadOnlyList<string> OrderKeys(LayerDefinition layer) =>
        [.. layer.OrderBy.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), "id"];

    public static NpgsqlDbType DbType(FieldKind kind) => kind switch
    {
        FieldKind.Text => NpgsqlDbType.Text,
        FieldKind.Integer => NpgsqlDbType.Integer,
        FieldKind.Number => NpgsqlDbType.Double,
        FieldKind.Boolean => NpgsqlDbType.Boolean,
        FieldKind.Date => NpgsqlDbType.Date,
        FieldKind.Timestamp => NpgsqlDbType.TimestampTz,
        FieldKind.Uuid => NpgsqlDbType.Uuid,
        _ => throw new InvalidOperationException($"Field kind {kind} has no database type"),
    };
}
