-- One MVT layer of single features. Placeholders are filled once at start-up from the layer definition
-- (identifiers only) and the options (integers); every value is a parameter: $1 z, $2 x, $3 y, $4 country,
-- $5 matrix, $6 from, $7 to. The envelope is transformed to the table's SRID (4326) so the GiST index on geom
-- is used; geometry is projected to 3857 only for the rows in the tile (plus a 64/4096 buffer so strokes do
-- not clip at edges).
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env,
           -- The buffer is clipped to the world first: past ±20037508 m PROJ wraps the longitude to the other side,
           -- and the window of a tile in the first or last column then missed the tile itself (1/0/0 was empty).
           ST_Transform(ST_ClipByBox2D(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), ST_TileEnvelope(0, 0, 0)), 4326) AS env4326,
           40075016.685578488 / (4096 * 2 ^ $1) AS px
), f AS (
    SELECT {{fid}} AS fid, {{properties}}, ST_Transform(t.geom, 3857) AS g
    FROM {{table}} t, b
    WHERE t.geom && b.env4326 AND {{filter}}
)
SELECT CASE WHEN (SELECT count(*) FROM f) <= {{aggregate_above}} THEN (
    SELECT coalesce(ST_AsMVT(m, '{{layer}}', 4096, 'geom', 'fid'), ''::bytea) FROM (
        SELECT f.fid, {{names}},
               -- Polygons thinner than two pixels would collapse on the 4096 grid: keep them as a two-pixel box,
               -- simplify the rest to half a pixel (the grid would drop finer detail anyway).
               -- A polygon a few pixels across can still collapse once simplified and snapped: it falls back to the box
               -- of its part in the tile (and buffer). A polygon whose bounding box merely overlaps the tile has no part
               -- there; the box of all of it drew a phantom rectangle where the site is not.
               coalesce(ST_AsMVTGeom(
                   CASE WHEN ST_Dimension(f.g) = 2 AND (ST_XMax(f.g) - ST_XMin(f.g) < 2 * b.px OR ST_YMax(f.g) - ST_YMin(f.g) < 2 * b.px)
                        THEN ST_Expand(ST_Envelope(f.g), greatest(b.px - (ST_XMax(f.g) - ST_XMin(f.g)) / 2, 0),
                                                         greatest(b.px - (ST_YMax(f.g) - ST_YMin(f.g)) / 2, 0))
                        WHEN ST_Dimension(f.g) = 2 THEN ST_Simplify(f.g, b.px / 2, true)
                        ELSE f.g END,
                   b.env, 4096, 64, true),
                   CASE WHEN ST_Dimension(f.g) = 2 THEN (SELECT ST_AsMVTGeom(
                       ST_Expand(ST_Envelope(p.part), greatest(b.px - (ST_XMax(p.part) - ST_XMin(p.part)) / 2, 0),
                                                      greatest(b.px - (ST_YMax(p.part) - ST_YMin(p.part)) / 2, 0)),
                       b.env, 4096, 64, true)
                       FROM (SELECT ST_ClipByBox2D(f.g, ST_Expand(b.env, 64 * b.px)) AS part) p
                       WHERE NOT ST_IsEmpty(p.part)) END) AS geom
        FROM f, b
    ) m
    WHERE m.geom IS NOT NULL
) ELSE (
    -- Too many features for one light tile (many sites at low zoom): features whose centres share a cell of
    -- 32 x 32 tile units become one box covering them all (at least two pixels; a point at its centre for point
    -- layers), so nothing vanishes. It
    -- carries cluster, point_count, the most common value of each coded field and any true flag.
    SELECT coalesce(ST_AsMVT(a, '{{layer}}', 4096, 'geom'), ''::bytea) FROM (
        SELECT ST_AsMVTGeom(CASE WHEN {{points_only}} THEN ST_Centroid(e)
                                 ELSE ST_Expand(e, greatest(px - (ST_XMax(e) - ST_XMin(e)) / 2, 0), greatest(px - (ST_YMax(e) - ST_YMin(e)) / 2, 0)) END,
                            (SELECT env FROM b), 4096, 64, true) AS geom,
               cluster, point_count{{aggregate_names}}
        FROM (
            SELECT ST_SetSRID(ST_Extent(f.g)::geometry, 3857) AS e, min(b.px) AS px, true AS cluster, count(*)::integer AS point_count{{aggregates}}
            FROM f, b
            GROUP BY floor(ST_X(ST_Centroid(ST_Envelope(f.g))) / (32 * b.px)), floor(ST_Y(ST_Centroid(ST_Envelope(f.g))) / (32 * b.px))
        ) c
    ) a
    WHERE a.geom IS NOT NULL
) END
