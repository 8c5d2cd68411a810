-- Vector tile invalidation: every statement that writes sites, hotspots or samples (the API, uploads, psql)
-- notifies channel napgeo_tiles with the extents of the old and new geometries it touched, once per
-- statement and only on commit. Each API instance LISTENs and drops exactly the cached tiles those extents touch.
-- Payload: {"table":"sites","boxes":[[w,s,e,n],...]} (lon/lat, rounded outwards), at most 100 boxes per
-- notification (well under PostgreSQL's 8000-byte limit); a statement touching very many places sends
-- {"table":"sites","flush":true} instead.

CREATE FUNCTION napgeo_tiles_notify_boxes(tbl text, boxes geometry[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    i integer;
    chunk text[];
BEGIN
    IF boxes IS NULL OR cardinality(boxes) = 0 THEN RETURN; END IF;
    FOR i IN 0 .. (cardinality(boxes) - 1) / 100 LOOP
        SELECT array_agg(format('[%s,%s,%s,%s]',
                   floor(ST_XMin(b) * 1e6) / 1e6, floor(ST_YMin(b) * 1e6) / 1e6,
                   ceil(ST_XMax(b) * 1e6) / 1e6, ceil(ST_YMax(b) * 1e6) / 1e6))
        INTO chunk
        FROM unnest(boxes[i * 100 + 1 : i * 100 + 100]) AS b;
        PERFORM pg_notify('napgeo_tiles', format('{"table":"%s","boxes":[%s]}', tbl, array_to_string(chunk, ',')));
    END LOOP;
END $$;

-- The triggers pass the extents of a statement's geometries grouped per 0.1-degree cell (exact for the usual
-- single-feature write; aggregated in SQL so a bulk load never builds a row-sized array); past 500 boxes they
-- are merged per 1-degree cell, and past 500 of those the layer is flushed.
CREATE FUNCTION napgeo_tiles_notify_geoms(tbl text, extents geometry[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    boxes geometry[];
    cell double precision;
BEGIN
    FOREACH cell IN ARRAY ARRAY[0.1, 1.0] LOOP
        SELECT array_agg(e) INTO boxes FROM (
            SELECT ST_Extent(g)::geometry AS e FROM unnest(extents) AS g
            WHERE g IS NOT NULL
            GROUP BY floor(ST_X(ST_Centroid(ST_Envelope(g))) / cell), floor(ST_Y(ST_Centroid(ST_Envelope(g))) / cell)
        ) x;
        IF coalesce(cardinality(boxes), 0) <= 500 THEN
            PERFORM napgeo_tiles_notify_boxes(tbl, boxes);
            RETURN;
        END IF;
    END LOOP;
    PERFORM pg_notify('napgeo_tiles', format('{"table":"%s","flush":true}', tbl));
END $$;

CREATE FUNCTION napgeo_tiles_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM napgeo_tiles_notify_geoms(TG_TABLE_NAME, (SELECT array_agg(e) FROM (
        SELECT ST_Extent(geom)::geometry AS e FROM new_rows GROUP BY floor(ST_XMin(geom) * 10), floor(ST_YMin(geom) * 10)) x));
    RETURN NULL;
END $$;

CREATE FUNCTION napgeo_tiles_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM napgeo_tiles_notify_geoms(TG_TABLE_NAME,
        (SELECT array_agg(e) FROM (
            SELECT ST_Extent(geom)::geometry AS e FROM (SELECT geom FROM old_rows UNION ALL SELECT geom FROM new_rows) u
            GROUP BY floor(ST_XMin(geom) * 10), floor(ST_YMin(geom) * 10)) x));
    RETURN NULL;
END $$;

CREATE FUNCTION napgeo_tiles_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM napgeo_tiles_notify_geoms(TG_TABLE_NAME, (SELECT array_agg(e) FROM (
        SELECT ST_Extent(geom)::geometry AS e FROM old_rows GROUP BY floor(ST_XMin(geom) * 10), floor(ST_YMin(geom) * 10)) x));
    RETURN NULL;
END $$;

CREATE FUNCTION napgeo_tiles_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('napgeo_tiles', format('{"table":"%s","flush":true}', TG_TABLE_NAME));
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sites', 'hotspots', 'samples'] LOOP
        EXECUTE format('CREATE TRIGGER %1$s_tiles_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION napgeo_tiles_insert()', t);
        EXECUTE format('CREATE TRIGGER %1$s_tiles_update AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION napgeo_tiles_update()', t);
        EXECUTE format('CREATE TRIGGER %1$s_tiles_delete AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION napgeo_tiles_delete()', t);
        EXECUTE format('CREATE TRIGGER %1$s_tiles_truncate AFTER TRUNCATE ON %1$I
                        FOR EACH STATEMENT EXECUTE FUNCTION napgeo_tiles_truncate()', t);
    END LOOP;
END $$;
