-- Row versions, timestamps and the audit log live in the database, so every write path
-- (the REST API, uploads, a GIS analyst with psql) is versioned and audited the same way.

CREATE FUNCTION napgeo_touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.id := OLD.id;
    NEW.created_at := OLD.created_at;
    NEW.updated_at := now();
    NEW.version := OLD.version + 1;
    RETURN NEW;
END $$;

-- Who wrote: the API sets napgeo.actor per transaction (set_config(..., true)); anything else is named by its role.
CREATE FUNCTION napgeo_actor() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('napgeo.actor', true), ''), 'db:' || current_user)
$$;

-- Statement-level triggers with transition tables: one INSERT ... SELECT per statement,
-- so a bulk load of a million rows does not pay a trigger call per row.
CREATE FUNCTION napgeo_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor, table_name, row_id, action, before, after)
    SELECT napgeo_actor(), TG_TABLE_NAME, n.id, 'insert', NULL, to_jsonb(n) FROM new_rows n;
    RETURN NULL;
END $$;

CREATE FUNCTION napgeo_audit_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor, table_name, row_id, action, before, after)
    SELECT napgeo_actor(), TG_TABLE_NAME, n.id, 'update', to_jsonb(o), to_jsonb(n)
    FROM new_rows n JOIN old_rows o USING (id);
    RETURN NULL;
END $$;

CREATE FUNCTION napgeo_audit_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor, table_name, row_id, action, before, after)
    SELECT napgeo_actor(), TG_TABLE_NAME, o.id, 'delete', to_jsonb(o), NULL FROM old_rows o;
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sites', 'hotspots', 'samples'] LOOP
        EXECUTE format('CREATE TRIGGER %1$s_touch BEFORE UPDATE ON %1$I FOR EACH ROW EXECUTE FUNCTION napgeo_touch_row()', t);
        EXECUTE format('CREATE TRIGGER %1$s_audit_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION napgeo_audit_insert()', t);
        EXECUTE format('CREATE TRIGGER %1$s_audit_update AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION napgeo_audit_update()', t);
        EXECUTE format('CREATE TRIGGER %1$s_audit_delete AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION napgeo_audit_delete()', t);
    END LOOP;
END $$;

-- The site a sample belongs to: the one containing it, else the nearest within 5 km (geodesic).
-- The bounding-box prefilter widens longitude by 1/cos(latitude) so the GiST index can be used anywhere.
CREATE FUNCTION napgeo_site_for_point(p geometry) RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT s.id
    FROM sites s
    WHERE s.geom && ST_Expand(p, 5000 / (111320 * greatest(cos(radians(ST_Y(p))), 0.01)), 5000 / 110540.0)
      AND ST_DWithin(s.geom::geography, p::geography, 5000)
    ORDER BY ST_Intersects(s.geom, p) DESC, ST_Distance(s.geom::geography, p::geography), s.id
    LIMIT 1
$$;

CREATE FUNCTION napgeo_link_sample_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NOT ST_Equals(NEW.geom, OLD.geom) THEN
        NEW.site_id := napgeo_site_for_point(NEW.geom);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER samples_link_site BEFORE INSERT OR UPDATE ON samples
    FOR EACH ROW EXECUTE FUNCTION napgeo_link_sample_site();
