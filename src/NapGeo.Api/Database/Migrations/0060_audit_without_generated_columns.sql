-- Audit images record what was written. Generated columns (samples.lonlat, derived from geom for the point index)
-- are not: nobody writes them, they repeat the geometry, and a roll-back could not write them back anyway. Rows
-- audited before this migration keep the images they were written with: the log is history, not rewritten.
CREATE FUNCTION napgeo_generated_columns(relation oid) RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(attname::text), '{}') FROM pg_attribute
    WHERE attrelid = relation AND attgenerated <> '' AND NOT attisdropped
$$;

CREATE OR REPLACE FUNCTION napgeo_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE generated text[] := napgeo_generated_columns(TG_RELID);
BEGIN
    INSERT INTO audit_log (actor, table_name, row_id, action, before, after)
    SELECT napgeo_actor(), TG_TABLE_NAME, n.id, 'insert', NULL, to_jsonb(n) - generated FROM new_rows n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION napgeo_audit_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE generated text[] := napgeo_generated_columns(TG_RELID);
BEGIN
    INSERT INTO audit_log (actor, table_name, row_id, action, before, after)
    SELECT napgeo_actor(), TG_TABLE_NAME, n.id, 'update', to_jsonb(o) - generated, to_jsonb(n) - generated
    FROM new_rows n JOIN old_rows o USING (id);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION napgeo_audit_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE generated text[] := napgeo_generated_columns(TG_RELID);
BEGIN
    INSERT INTO audit_log (actor, table_name, row_id, action, before, after)
    SELECT napgeo_actor(), TG_TABLE_NAME, o.id, 'delete', to_jsonb(o) - generated, NULL FROM old_rows o;
    RETURN NULL;
END $$;
