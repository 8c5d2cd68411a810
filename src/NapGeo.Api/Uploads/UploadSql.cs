using NapGeo.Layers;

namespace NapGeo.Uploads;

/// <summary>
/// The bulk SQL of an upload into one layer, built once from its <see cref="LayerDefinition"/> (identifiers only from the
/// definition; values are parameters or come from the COPY stream). Rows are COPYed into a temporary table, then merged
/// in ONE statement, so the statement-level audit and tile triggers fire once per upload, not once per row.
/// </summary>
public sealed class UploadSql
{
    public UploadSql(LayerDefinition layer)
    {
        Table = layer.Name;
        Stored = layer.Fields.Where(f => f.Source != FieldSource.Database).ToList();
        Key = layer.Name switch { "samples" => ["campaign", "external_id"], "sites" => ["site_code"], _ => [] };
        var columns = string.Join(", ", Stored.Select(f => f.Name));
        var t = Table;
        // The staging geometry is untyped: GPS and KML positions often carry a height, which the 2D columns drop (ST_Force2D).
        // base_version: the version of the stored row a row was merged with before validation (StoredRows), else null.
        CreateStaging = $"CREATE TEMP TABLE upload_rows ON COMMIT DROP AS SELECT 0::integer AS row_no, NULL::integer AS base_version, id, geom::geometry AS geom, {columns} FROM {t} WITH NO DATA";
        Copy = $"COPY upload_rows (row_no, base_version, id, geom, {columns}) FROM STDIN (FORMAT BINARY)";
        // Text is stored composed (LayerSql.Composed); rows that already are (nearly all) are only looked at.
        var text = Stored.Where(f => f.Kind == FieldKind.Text).Select(f => f.Name).ToList();
        ComposeStaged = $"UPDATE upload_rows SET {string.Join(", ", text.Select(c => $"{c} = {LayerSql.Composed(c)}"))} " +
                        $"WHERE {string.Join(" OR ", text.Select(c => $"{c} IS NOT NFC NORMALIZED"))}";

        // The foreign keys a file can break (hotspots.site_id; samples.site_id is the trigger's): the staged rows naming no row
        // are taken out and reported as row errors, instead of the merge failing as a whole without naming one. The rows that
        // are named are locked as the foreign key check would (FOR KEY SHARE), so none can be deleted before the merge.
        References = Stored.Where(f => f.References is not null).Select(f => (f, $"""
            WITH named AS (SELECT id FROM {f.References} WHERE id IN (SELECT {f.Name} FROM upload_rows) FOR KEY SHARE)
            DELETE FROM upload_rows u WHERE u.{f.Name} IS NOT NULL AND u.{f.Name} NOT IN (SELECT id FROM named)
            RETURNING u.row_no, u.{f.Name}::text
            """)).ToList();

        const string record = "INSERT INTO upload_changes (upload_id, table_name, row_id, action, before, before_geom, version_after, row_no) ";
        if (Key.Count == 0)
        {
            // No natural key (hotspots): every row is new; the staging id links a new row to its file row.
            Merge = $"""
                WITH merged AS (INSERT INTO {t} (id, geom, {columns}) SELECT id, ST_Force2D(geom), {columns} FROM upload_rows ORDER BY row_no RETURNING id, version),
                recorded AS ({record}SELECT $1, '{t}', m.id, 'insert', NULL, NULL, m.version, u.row_no FROM merged m JOIN upload_rows u ON u.id = m.id)
                SELECT count(*)::integer FROM upload_rows
                """;
            MatchStored = $"SELECT u.row_no, x.id FROM upload_rows u JOIN {t} x ON x.id = u.id";
            return;
        }
        var key = string.Join(", ", Key);
        var keyMatch = (string a, string b) => string.Join(" AND ", Key.Select(k => $"{a}.{k} = {b}.{k}"));
        var set = string.Join(", ", Stored.Where(f => !Key.Contains(f.Name)).Select(f => $"{f.Name} = EXCLUDED.{f.Name}").Prepend("geom = EXCLUDED.geom"));
        var mine = string.Join(", ", Stored.Select(f => $"x.{f.Name}").Prepend("x.geom"));
        var theirs = string.Join(", ", Stored.Select(f => $"EXCLUDED.{f.Name}").Prepend("EXCLUDED.geom"));
        // A key twice in the file: the last row wins (ON CONFLICT cannot touch a row twice). Unchanged rows are not
        // rewritten, so a re-upload of the same file changes nothing and leaves no audit entries.
        Merge = $"""
            WITH src AS (SELECT DISTINCT ON ({key}) * FROM upload_rows ORDER BY {key}, row_no DESC),
            old AS (SELECT x.* FROM {t} x JOIN src ON {keyMatch("x", "src")}),
            merged AS (
                INSERT INTO {t} AS x (id, geom, {columns}) SELECT id, ST_Force2D(geom), {columns} FROM src
                ON CONFLICT ({key}) DO UPDATE SET {set}
                WHERE ({mine}) IS DISTINCT FROM ({theirs})
                RETURNING x.id, x.version, {string.Join(", ", Key.Select(k => "x." + k))}),
            recorded AS ({record}SELECT $1, '{t}', m.id, CASE WHEN o.id IS NULL THEN 'insert' ELSE 'update' END,
                   CASE WHEN o.id IS NULL THEN NULL ELSE to_jsonb(o) - 'geom' END, o.geom, m.version, src.row_no
                FROM merged m JOIN src ON {keyMatch("src", "m")} LEFT JOIN old o ON o.id = m.id)
            SELECT count(*)::integer FROM src
            """;
        MatchStored = $"SELECT u.row_no, x.id FROM upload_rows u JOIN {t} x ON {keyMatch("x", "u")}";
        // The stored rows named by arrays of key parts ($1, $2 …), with each key's place; the fields where FeatureJson.ReadValues
        // reads them. Stored text is composed (NFC), so the keys are too, as the staged rows will be.
        var parts = string.Join(", ", Key.Select((_, i) => $"${i + 1}::text[]"));
        var padding = string.Concat(Enumerable.Repeat(", NULL", LayerSql.FirstFieldOrdinal - 2));
        SelectStored = $"""
            SELECT k.ord::integer, x.version{padding}, {string.Join(", ", layer.Fields.Select(f => "x." + f.Name))}
            FROM unnest({parts}) WITH ORDINALITY AS k({key}, ord)
            JOIN {t} x ON {string.Join(" AND ", Key.Select(k => $"x.{k} = {LayerSql.Composed("k." + k)}"))}
            """;
        // The merge leaves a new row at version 1 and an updated one at one more than the version it replaced (napgeo_touch_row),
        // which ON CONFLICT reads as committed at that moment, after any concurrent change: any other version means the row
        // was not the one read (changed, deleted, or inserted since), and the fields the file lacks came from before.
        Moved = $"""
            SELECT u.row_no FROM upload_changes c JOIN upload_rows u ON u.row_no = c.row_no
            WHERE c.upload_id = $1 AND c.version_after <> coalesce(u.base_version, 0) + 1 ORDER BY u.row_no
            """;
    }

    public string Table { get; }
    public IReadOnlyList<Field> Stored { get; }
    public IReadOnlyList<string> Key { get; }
    public string CreateStaging { get; }
    public string Copy { get; }
    public string ComposeStaged { get; }
    /// <summary>Per field with a foreign key: removes the staged rows whose value names no row, answering (row_no, value).</summary>
    public IReadOnlyList<(Field Field, string Sql)> References { get; }
    /// <summary>
    /// $1 = upload id. Inserts or updates, records each change with its before-image, and answers the number of staged rows
    /// it merged: one per key, so the staged rows beyond it were superseded by a later row with the same key.
    /// </summary>
    public string Merge { get; }
    /// <summary>Each staged row with the id of the stored row it became (row_no, id).</summary>
    public string MatchStored { get; }
    /// <summary>Keyed layers: (key's place from 1, version, …, the fields at <see cref="LayerSql.FirstFieldOrdinal"/>) per stored row.</summary>
    public string SelectStored { get; } = "";
    /// <summary>Keyed layers, $1 = upload id: the rows whose stored row changed between its read and the merge.</summary>
    public string Moved { get; } = "";

    public string Conflicts => $"""
        SELECT c.row_no, c.row_id, x.version, c.version_after, a.actor, a.at
        FROM upload_changes c
        LEFT JOIN {Table} x ON x.id = c.row_id
        LEFT JOIN LATERAL (SELECT actor, at FROM audit_log l WHERE l.table_name = '{Table}' AND l.row_id = c.row_id ORDER BY l.id DESC LIMIT 1) a ON true
        WHERE c.upload_id = $1 AND (x.id IS NULL OR x.version <> c.version_after)
        ORDER BY c.row_no
        """;

    public string LockChanged => $"SELECT x.id FROM {Table} x JOIN upload_changes c ON c.row_id = x.id WHERE c.upload_id = $1 FOR UPDATE OF x";

    public string DeleteInserted => $"DELETE FROM {Table} x USING upload_changes c WHERE c.upload_id = $1 AND c.action = 'insert' AND x.id = c.row_id";

    /// <summary>
    /// After a restore, an earlier upload that left a restored row in exactly its before-image state may still be rolled back:
    /// its record is moved to the row's new version (so uploads can be undone newest first).
    /// </summary>
    public string HandOverVersions => $"""
        UPDATE upload_changes o SET version_after = x.version
        FROM upload_changes c JOIN {Table} x ON x.id = c.row_id
        WHERE c.upload_id = $1 AND c.action = 'update' AND o.table_name = '{Table}' AND o.row_id = c.row_id
          AND o.upload_id <> $1 AND o.version_after = (c.before->>'version')::integer
        """;

    public string RestoreUpdated => $"""
        UPDATE {Table} x SET geom = c.before_geom, {string.Join(", ", Stored.Select(f => $"{f.Name} = r.{f.Name}"))}
        FROM upload_changes c, LATERAL jsonb_populate_record(NULL::{Table}, c.before) r
        WHERE c.upload_id = $1 AND c.action = 'update' AND x.id = c.row_id
        """;
}
