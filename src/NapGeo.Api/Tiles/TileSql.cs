using NapGeo.Database;
using NapGeo.Layers;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace NapGeo.Tiles;

/// <summary>
/// Builds the tile statements from <c>Sql/*.sql</c> and the layer definitions. Identifiers come only from the
/// definitions; request values are parameters $1…$10 (the same list for every statement). A filter the request does not
/// use is left out of the statement rather than written "$n IS NULL OR …": the statements are prepared once and then
/// run with a generic plan, which cannot drop a clause whose parameter happens to be null.
/// </summary>
public static class TileSql
{
    public static bool FilterApplies(LayerDefinition layer, string filter) => filter switch
    {
        "country" => layer.Find("country") is not null || layer.Find("site_id") is not null,
        "matrix" => layer.Find("matrix") is not null,
        "from" or "to" => layer.Find("sampled_at") is not null,
        "status" or "exceedance_class" => layer.Find(filter) is { Allowed: not null },
        _ => false,
    };

    public static string Features(LayerDefinition layer, int aggregateAbove, TileFilter filter)
    {
        var fields = TileFields.For(layer);
        var aggregated = AggregatedFields(layer);
        var aggregates = string.Concat(aggregated.Select(f => f.Kind == FieldKind.Boolean
            ? $", bool_or(f.{f.Name}) AS {f.Name}"
            : $", mode() WITHIN GROUP (ORDER BY f.{f.Name}) AS {f.Name}"));
        var properties = string.Join(", ", new[] { $"t.id::text AS {TileFields.IdProperty}" }.Concat(fields.Select(f => $"{TileFields.ValueSql(f, "t")} AS {f.Name}")));
        var names = string.Join(", ", new[] { TileFields.IdProperty }.Concat(fields.Select(f => f.Name)).Select(n => "f." + n));
        return SqlResource.Load("Tiles.Sql.features.sql")
            .Replace("{{fid}}", TileFields.FeatureIdSql("t"))
            .Replace("{{properties}}", properties)
            .Replace("{{names}}", names)
            .Replace("{{aggregate_above}}", aggregateAbove.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Replace("{{aggregates}}", aggregates)
            .Replace("{{points_only}}", layer.GeometryTypes.All(t => t == OgcGeometryType.Point) ? "true" : "false")
            .Replace("{{aggregate_names}}", string.Concat(aggregated.Select(f => ", " + f.Name)))
            .Replace("{{table}}", layer.Name)
            .Replace("{{layer}}", layer.Name)
            .Replace("{{filter}}", Filter(layer, filter));
    }

    /// <summary>Fields that aggregated boxes carry: coded values (their most common one) and flags (true if any is).</summary>
    public static IReadOnlyList<Field> AggregatedFields(LayerDefinition layer) =>
        TileFields.For(layer).Where(f => f.Allowed is not null || f.Kind == FieldKind.Boolean).ToList();

    /// <summary>The cluster statement for a point layer with matrix and values (samples); null for other layers.</summary>
    public static string? Clusters(LayerDefinition layer, TileFilter filter)
    {
        if (!layer.GeometryTypes.SequenceEqual([OgcGeometryType.Point]) || layer.Find("matrix") is null || layer.Find("value_normalized") is null)
            return null;
        var exceedance = layer.Find("exceedance_class") is { Allowed: not null };
        return SqlResource.Load("Tiles.Sql.clusters.sql")
            .Replace("{{cluster_columns}}", exceedance ? ", t.exceedance_class" : "")
            // The worst class of the cluster, by its position in the class list (below < above < high < critical).
            .Replace("{{cluster_aggregates}}", exceedance ? ",\n           ($8::text[])[max(array_position($8::text[], p.exceedance_class))] AS exceedance_class" : "")
            .Replace("{{table}}", layer.Name)
            .Replace("{{layer}}", layer.Name)
            .Replace("{{filter}}", Filter(layer, filter));
    }

    /// <summary>Several layers in one tile: their MVT layers are concatenated.</summary>
    public static string Combine(IEnumerable<string> layerSql) =>
        "SELECT " + string.Join("\n || ", layerSql.Select(s => $"({s})"));

    /// <summary>The clauses of the filters <paramref name="filter"/> sets (its values are bound as $4…$10).</summary>
    private static string Filter(LayerDefinition layer, TileFilter filter)
    {
        var parts = new List<string>();
        if (filter.Country is not null)
        {
            if (layer.Find("country") is not null) parts.Add("t.country = $4::text");
            else if (layer.Find("site_id") is not null) parts.Add("EXISTS (SELECT 1 FROM sites s WHERE s.id = t.site_id AND s.country = $4::text)");
        }
        if (filter.Matrix is not null && FilterApplies(layer, "matrix")) parts.Add("t.matrix = $5::text");
        if (filter.From is not null && FilterApplies(layer, "from")) parts.Add("t.sampled_at >= $6::timestamptz");
        if (filter.To is not null && FilterApplies(layer, "to")) parts.Add("t.sampled_at < $7::timestamptz");
        if (filter.Status is not null && FilterApplies(layer, "status")) parts.Add("t.status = $9::text");
        if (filter.ExceedanceClass is not null && FilterApplies(layer, "exceedance_class")) parts.Add("t.exceedance_class = $10::text");
        return parts.Count == 0 ? "true" : string.Join(" AND ", parts);
    }

    public static IEnumerable<NpgsqlParameter> Parameters(TileAddress tile, TileFilter filter, string[]? exceedanceClasses)
    {
        yield return new() { Value = tile.Z, NpgsqlDbType = NpgsqlDbType.Integer };
        yield return new() { Value = tile.X, NpgsqlDbType = NpgsqlDbType.Integer };
        yield return new() { Value = tile.Y, NpgsqlDbType = NpgsqlDbType.Integer };
        yield return new() { Value = (object?)filter.Country ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
        yield return new() { Value = (object?)filter.Matrix ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
        // Dates are whole UTC days; "to" is inclusive, so the bound is the next midnight.
        yield return new() { Value = filter.From is { } f ? f.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };
        // The last day there is (9999-12-31) has no next midnight in .NET: its bound is the last instant instead.
        yield return new()
        {
            Value = filter.To is { } t ? t == DateOnly.MaxValue ? DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc) : t.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) : DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.TimestampTz,
        };
        yield return new() { Value = (object?)exceedanceClasses ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
        yield return new() { Value = (object?)filter.Status ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
        yield return new() { Value = (object?)filter.ExceedanceClass ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
    }
}
