-- Samples follow their sites. A sample is linked to a site when it is written (0002); this keeps the link right
-- when sites appear, move or disappear, by linking again the samples within 5 km of the old and new outlines.
-- When a site's country changes, its samples and hotspots are touched (a no-op UPDATE) so that everything that
-- depends on "the country of the sample's site" follows through the usual triggers: tile invalidation for
-- country-filtered tiles, the assessment's guideline set, the audit log.

CREATE FUNCTION napgeo_relink_samples_near(areas geometry[]) RETURNS void LANGUAGE sql AS $$
    UPDATE samples s SET site_id = n.site_id
    FROM (
        SELECT DISTINCT x.id, napgeo_site_for_point(x.geom) AS site_id
        FROM unnest(areas) AS a(geom)
        JOIN samples x ON x.geom && ST_Expand(a.geom, 0.05 / greatest(cos(radians(ST_Y(ST_Centroid(a.geom)))), 0.01), 0.05)
    ) n
    WHERE s.id = n.id AND s.site_id IS DISTINCT FROM n.site_id
$$;

CREATE FUNCTION napgeo_sites_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM napgeo_relink_samples_near(ARRAY(SELECT geom FROM new_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION napgeo_sites_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM napgeo_relink_samples_near(ARRAY(
        SELECT g FROM new_rows n JOIN old_rows o USING (id), LATERAL (VALUES (n.geom), (o.geom)) AS v(g)
        WHERE NOT ST_Equals(n.geom, o.geom)));
    UPDATE samples SET site_id = site_id
    WHERE site_id IN (SELECT n.id FROM new_rows n JOIN old_rows o USING (id) WHERE n.country <> o.country);
    UPDATE hotspots SET site_id = site_id
    WHERE site_id IN (SELECT n.id FROM new_rows n JOIN old_rows o USING (id) WHERE n.country <> o.country);
    RETURN NULL;
END $$;

CREATE FUNCTION napgeo_sites_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM napgeo_relink_samples_near(ARRAY(SELECT geom FROM old_rows));
    RETURN NULL;
END $$;

CREATE TRIGGER sites_relink_inserted AFTER INSERT ON sites REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION napgeo_sites_inserted();
CREATE TRIGGER sites_relink_updated AFTER UPDATE ON sites REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION napgeo_sites_updated();
CREATE TRIGGER sites_relink_deleted AFTER DELETE ON sites REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION napgeo_sites_deleted();
