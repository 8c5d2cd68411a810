-- Point clusters for low zooms: points snapped to a grid of 64 x 64 cells per tile (cells align with tile
-- edges, so a cluster never spans two tiles and a change invalidates exactly the tiles it is in).
-- Each cluster is drawn at the centroid of its points with point_count, value_max and the matrix
-- ('mixed' when several). Parameters as in features.sql.
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env,
           -- Widened (within the world) so that a point on an edge is found by both tiles whatever PROJ's rounding;
           -- the half-open test below then gives it to one of them.
           ST_Transform(ST_ClipByBox2D(ST_TileEnvelope($1, $2, $3, margin => 1.0 / 4096), ST_TileEnvelope(0, 0, 0)), 4326) AS env4326,
           40075016.685578488 / (64 * 2 ^ $1) AS cell,
           (1 << $1) - 1 AS last
), p AS (
    SELECT ST_Transform(t.geom, 3857) AS g, b.cell, t.matrix, t.value_normalized{{cluster_columns}}
    FROM {{table}} t, b
    WHERE t.geom && b.env4326 AND {{filter}}
), p_in AS (
    -- Each point counts in exactly one tile: a tile owns its west and south edges (the world's last column and
    -- first row their outer edges too). A point on the prime meridian or the equator was counted on both sides.
    SELECT p.* FROM p, b
    WHERE ST_X(p.g) >= ST_XMin(b.env) AND (ST_X(p.g) < ST_XMax(b.env) OR $2 = b.last)
      AND ST_Y(p.g) >= ST_YMin(b.env) AND (ST_Y(p.g) < ST_YMax(b.env) OR $3 = 0)
)
SELECT coalesce(ST_AsMVT(m, '{{layer}}', 4096, 'geom'), ''::bytea) FROM (
    SELECT ST_AsMVTGeom(ST_Centroid(ST_Collect(p.g)), (SELECT env FROM b), 4096, 64, true) AS geom,
           true AS cluster,
           count(*)::integer AS point_count,
           max(p.value_normalized) AS value_max,
           CASE WHEN count(DISTINCT p.matrix) = 1 THEN min(p.matrix) ELSE 'mixed' END AS matrix{{cluster_aggregates}}
    FROM p_in p
    GROUP BY floor(ST_X(p.g) / p.cell), floor(ST_Y(p.g) / p.cell)
) m
WHERE m.geom IS NOT NULL
