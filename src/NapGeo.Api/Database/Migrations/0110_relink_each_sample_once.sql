-- Re-linking samples near changed sites (0003) asked napgeo_site_for_point once per (area, sample) pair of a 0.05°
-- box join, before the DISTINCT: a sample near many of the changed sites was linked again once per site, and a
-- 500-site file made ~6 calls per sample. Now the candidates are deduplicated first and each is linked once.
-- The candidates are the samples a changed outline can reach, which is napgeo_site_for_point's own reach: within
-- 5 km (geodesic) of it; the others keep the site they have, whatever the outline did. The bounding-box prefilter
-- is napgeo_site_for_point's, widened in longitude at the outline's latitude farthest from the equator (plus the
-- 5 km), so it never cuts off a sample the geodesic test would keep; a fixed 0.05° box at the centroid's latitude
-- was ~5.5 km across in latitude only and cut off samples near a tall outline's far end.
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
    candidate AS MATERIALIZED (
        SELECT DISTINCT x.id
        FROM area a
        JOIN samples x ON x.geom && a.reach_box AND ST_DWithin(a.geog, x.geom::geography, 5000)
    ),
    relinked AS MATERIALIZED (
        SELECT x.id, x.site_id AS old_site_id, napgeo_site_for_point(x.geom) AS site_id
        FROM candidate c JOIN samples x USING (id)
    )
    UPDATE samples s SET site_id = n.site_id
    FROM relinked n
    WHERE s.id = n.id AND n.old_site_id IS DISTINCT FROM n.site_id
$$;
