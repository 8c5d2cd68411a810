-- Point clusters for low zooms: points snapped to a grid of 64 x 64 cells per tile (cells align with tile
-- edges, so a cluster never spans two tiles and a change invalidates exactly the tiles it is in).
-- Each cluster is drawn at the centroid of its points with point_count, value_max and the matrix
-- ('mixed' when several). Parameters as in features.sql.
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env,
           ST_Transform(ST_TileEnvelope($1, $2, $3), 4326) AS env4326,
           40075016.685578488 / (64 * 2 ^ $1) AS cell
), p AS (
    SELECT ST_Transform(t.geom, 3857) AS g, b.cell, t.matrix, t.value_normalized{{cluster_columns}}
    FROM {{table}} t, b
    WHERE t.geom && b.env4326 AND {{filter}}
)
SELECT coalesce(ST_AsMVT(m, '{{layer}}', 4096, 'geom'), ''::bytea) FROM (
    SELECT ST_AsMVTGeom(ST_Centroid(ST_Collect(p.g)), (SELECT env FROM b), 4096, 64, true) AS geom,
           true AS cluster,
           count(*)::integer AS point_count,
           max(p.value_normalized) AS value_max,
           CASE WHEN count(DISTINCT p.matrix) = 1 THEN min(p.matrix) ELSE 'mixed' END AS matrix{{cluster_aggregates}}
    FROM p
    GROUP BY floor(ST_X(p.g) / p.cell), floor(ST_Y(p.g) / p.cell)
) m
WHERE m.geom IS NOT NULL
