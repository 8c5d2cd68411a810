-- The NAP baseline of Minamata Convention Annex C 1(d), per country and per first-level administrative area.
-- $1: an ISO 3166-1 alpha-3 code, or NULL for every country. One row per area; level is 'country' or 'admin1'.
-- Samples count towards the area of the site the database linked them to (samples.site_id).
-- Admin1 names are typed by hand in field forms: "Western" beside "WESTERN", or "Western North" beside "Western  North"
-- (two spaces), must not split a region. An area is its name in lower case with runs of white space made one space,
-- shown by its most used visible spelling; on a tie one not all in capitals ("Geita" before "GEITA"), then the first
-- in sort order. \s does not take the no-break spaces that names pasted from web pages and PDFs carry, so they are
-- named; their zero-width spaces, joiners and soft hyphens are dropped. A name of nothing but those is no name.
WITH cleaned AS (
    SELECT *, nullif(btrim(regexp_replace(regexp_replace(admin1, '[\u00ad\u200b\u200c\u200d\u2060\ufeff]', '', 'g'),
                                          '[\s\u00a0\u2007\u202f]+', ' ', 'g')), '') AS spelling
    FROM sites WHERE $1::text IS NULL OR country = $1
),
s AS (
    SELECT *, lower(spelling) AS area FROM cleaned
),
area_sums AS (
    SELECT CASE WHEN GROUPING(area) = 1 THEN 'country' ELSE 'admin1' END AS level,
           country::text AS country,
           area,
           -- The vote's key puts the spellings not all in capitals first ('0'), so the first on a tie is one of them.
           CASE WHEN GROUPING(area) = 0 THEN substr(mode() WITHIN GROUP (
               ORDER BY CASE WHEN spelling = upper(spelling) AND spelling <> lower(spelling) THEN '1' ELSE '0' END || spelling), 2) END AS admin1,
           count(*) AS sites,
           coalesce(sum(miners_total), 0) AS miners_total,
           coalesce(sum(miners_women) FILTER (WHERE miners_total IS NOT NULL), 0) AS miners_women,
           coalesce(sum(miners_children) FILTER (WHERE miners_total IS NOT NULL), 0) AS miners_children,
           count(miners_total) AS sites_reporting_miners,
           coalesce(sum(mercury_use_kg_yr), 0) AS mercury_use_kg_yr,
           count(mercury_use_kg_yr) AS sites_reporting_mercury,
           coalesce(sum(gold_production_kg_yr), 0) AS gold_production_kg_yr,
           count(gold_production_kg_yr) AS sites_reporting_gold,
           -- Annex C 1(b): the four worst practices the NAP must eliminate.
           count(*) FILTER (WHERE whole_ore_amalgamation) AS whole_ore_amalgamation,
           count(*) FILTER (WHERE open_burning_amalgam) AS open_burning_amalgam,
           count(*) FILTER (WHERE residential_burning_amalgam) AS residential_burning_amalgam,
           count(*) FILTER (WHERE cyanide_leaching_hg_material) AS cyanide_leaching_hg_material,
           count(*) FILTER (WHERE whole_ore_amalgamation OR open_burning_amalgam
                                OR residential_burning_amalgam OR cyanide_leaching_hg_material) AS any_worst_practice,
           -- A point for the area on a map: the centroid of its sites; and their extent.
           ST_Centroid(ST_Collect(geom)) AS plain_point,
           ST_XMin(ST_Extent(geom)) AS plain_xmin, ST_YMin(ST_Extent(geom)) AS ymin,
           ST_XMax(ST_Extent(geom)) AS plain_xmax, ST_YMax(ST_Extent(geom)) AS ymax,
           -- The same in longitudes 0…360°, for an area whose sites lie on both sides of the antimeridian (Fiji): its
           -- plain extent spans the globe and its centroid falls half a world away. A site spanning 0° spans 0…360 here.
           min(CASE WHEN ST_XMax(geom) < 0 THEN ST_XMin(geom) + 360 WHEN ST_XMin(geom) < 0 THEN 0 ELSE ST_XMin(geom) END) AS east_xmin,
           max(CASE WHEN ST_XMax(geom) < 0 THEN ST_XMax(geom) + 360 WHEN ST_XMin(geom) < 0 THEN 360 ELSE ST_XMax(geom) END) AS east_xmax,
           -- ST_Centroid of polygons weighs each by its area: so does this mean of the sites' own centroids.
           sum(ST_Area(geom) * (ST_X(ST_Centroid(geom)) + CASE WHEN ST_X(ST_Centroid(geom)) < 0 THEN 360 ELSE 0 END))
               / nullif(sum(ST_Area(geom)), 0) AS east_x
    FROM s
    GROUP BY GROUPING SETS ((country), (country, area))
),
areas AS (
    SELECT a.*,
           ST_AsGeoJSON(CASE WHEN wraps THEN ST_SetSRID(ST_MakePoint(east_x - CASE WHEN east_x > 180 THEN 360 ELSE 0 END, ST_Y(plain_point)), 4326)
                             ELSE plain_point END, 6) AS centroid,
           -- RFC 7946 5.2: a bbox across the antimeridian has its west edge east of its east edge.
           CASE WHEN wraps THEN east_xmin - CASE WHEN east_xmin > 180 THEN 360 ELSE 0 END ELSE plain_xmin END AS xmin,
           CASE WHEN wraps THEN east_xmax - CASE WHEN east_xmax > 180 THEN 360 ELSE 0 END ELSE plain_xmax END AS xmax
    -- Narrower by more than rounding: with every site on one side of 0° both extents are as wide, and adding and
    -- taking away 360 only added noise digits (-3.096931999999981).
    FROM (SELECT *, east_xmax - east_xmin < plain_xmax - plain_xmin - 1e-9 AND east_x IS NOT NULL AS wraps FROM area_sums) a
),
by_status AS (
    SELECT country::text AS country, area, status, count(*) AS n FROM s GROUP BY 1, 2, 3
),
by_matrix AS (
    SELECT si.country::text AS country, si.area, sa.matrix, count(*) AS n
    FROM samples sa JOIN s si ON si.id = sa.site_id
    GROUP BY 1, 2, 3
)
SELECT a.*,
       CASE a.level
           WHEN 'country' THEN (SELECT jsonb_object_agg(status, n) FROM (SELECT status, sum(n) AS n FROM by_status b
                                WHERE b.country = a.country GROUP BY status) x)
           ELSE (SELECT jsonb_object_agg(status, n) FROM by_status b WHERE b.country = a.country AND b.area IS NOT DISTINCT FROM a.area)
       END::text AS sites_by_status,
       CASE a.level
           WHEN 'country' THEN (SELECT jsonb_object_agg(matrix, n) FROM (SELECT matrix, sum(n) AS n FROM by_matrix m
                                WHERE m.country = a.country GROUP BY matrix) x)
           ELSE (SELECT jsonb_object_agg(matrix, n) FROM by_matrix m WHERE m.country = a.country AND m.area IS NOT DISTINCT FROM a.area)
       END::text AS samples_by_matrix
FROM areas a
ORDER BY a.country, a.level <> 'country', a.area NULLS LAST
