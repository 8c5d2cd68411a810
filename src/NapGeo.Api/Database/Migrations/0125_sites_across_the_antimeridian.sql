-- A sample is linked to the nearest site within 5 km (geodesic), but the bounding-box prefilter of 0002 and 0110 did not
-- wrap at ±180°: a sample at -179.985° missed a site 2.7 km away at 179.99° (Fiji, Chukotka), and counted as having
-- none in the statistics. A reach box that crosses ±180° now also searches its part on the other side, moved by 360°;
-- the geodesic tests already measured across the antimeridian. Boxes within ±180° search as before.
CREATE OR REPLACE FUNCTION napgeo_site_for_point(p geometry) RETURNS uuid LANGUAGE sql STABLE AS $$
    WITH reach AS (
        SELECT ST_Expand(p, 5000 / (111320 * greatest(cos(radians(ST_Y(p))), 0.01)), 5000 / 110540.0) AS box
    ),
    box AS (
        SELECT box FROM reach
        UNION ALL SELECT ST_Translate(box, -360, 0) FROM reach WHERE ST_XMax(box) > 180
        UNION ALL SELECT ST_Translate(box, 360, 0) FROM reach WHERE ST_XMin(box) < -180
    )
    SELECT s.id
    FROM box JOIN sites s ON s.geom && box.box
    WHERE ST_DWithin(s.geom::geography, p::geography, 5000)
    ORDER BY ST_Intersects(s.geom, p) DESC, ST_Distance(s.geom::geography, p::geography), s.id
    LIMIT 1
$$;

CREATE OR REPLACE FUNCTION napgeo_relink_samples_near(areas geometry[]) RETURNS void LANGUAGE sql AS $$
    WITH area AS MATERIALIZED (
        SELECT a.geom, a.geom::geography AS geog,
               ST_Expand(a.geom,
                   5000 / (111320 * greatest(cos(radians(least(
                       greatest(abs(ST_YMin(a.geom)), abs(ST_YMax(a.geom))) + 5000 / 110540.0, 90))), 0.01)),
                   5000 / 110540.0) AS reach_box
        FROM unnest(areas) AS a(geom)
        WHERE a.geom IS NOT NULL
    ),
    reach AS MATERIALIZED (
        SELECT geog, reach_box AS box FROM area
        UNION ALL SELECT geog, ST_Translate(reach_box, -360, 0) FROM area WHERE ST_XMax(reach_box) > 180
        UNION ALL SELECT geog, ST_Translate(reach_box, 360, 0) FROM area WHERE ST_XMin(reach_box) < -180
    ),
    candidate AS MATERIALIZED (
        SELECT DISTINCT x.id
        FROM reach r
        JOIN samples x ON x.geom && r.box AND ST_DWithin(r.geog, x.geom::geography, 5000)
    ),
    relinked AS MATERIALIZED (
        SELECT x.id, x.site_id AS old_site_id, napgeo_site_for_point(x.geom) AS site_id
        FROM candidate c JOIN samples x USING (id)
    )
    UPDATE samples s SET site_id = n.site_id
    FROM relinked n
    WHERE s.id = n.id AND n.old_site_id IS DISTINCT FROM n.site_id
$$;

-- Samples already stored near ±180° were linked by the old search: link them again where it finds another site (or one
-- where there was none). Only samples whose reach crosses ±180° can differ.
UPDATE samples s SET site_id = n.site_id
FROM (
    SELECT id, napgeo_site_for_point(geom) AS site_id, site_id AS old_site_id
    FROM samples
    WHERE abs(ST_X(geom)) + 5000 / (111320 * greatest(cos(radians(ST_Y(geom))), 0.01)) > 180
) n
WHERE s.id = n.id AND n.site_id IS DISTINCT FROM n.old_site_id;
