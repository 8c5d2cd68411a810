-- Derived hotspots: DBSCAN clusters of exceeding samples of one medium group. $1 eps (m), $2 minimum points,
-- $3 margin (m). Deterministic: every ordering is total, ids are md5 of the members, names follow member order.
WITH exceeding AS (
    SELECT s.id, s.campaign, s.external_id, s.matrix, s.exceedance_ratio AS ratio, s.sampled_at, s.site_id, s.geom,
           CASE WHEN s.matrix IN ('soil', 'tailings') THEN 'soil'
                WHEN s.matrix = 'sediment' THEN 'sediment'
                WHEN s.matrix = 'water' THEN 'water'
                WHEN s.matrix = 'air' THEN 'air'
                WHEN s.matrix = 'fish' THEN 'biota'
                ELSE 'human' END AS grp
    FROM samples s
    WHERE s.exceedance_class IN ('above', 'high', 'critical') AND s.exceedance_ratio IS NOT NULL
),
-- Coarse components in degrees whose eps over-estimates $1 metres at the group's highest latitude (factor 1.5 >
-- sqrt 2 covers both axes): every DBSCAN cluster lies inside one component, so each component can be clustered
-- in the UTM zone of its centre, a metric CRS, without splitting clusters at zone boundaries.
reach AS (
    SELECT grp, $1::float8 * 1.5 / (110574 * greatest(cos(radians(least(max(abs(ST_Y(geom))), 89.9))), 0.001)) AS eps_deg
    FROM exceeding GROUP BY grp
),
-- Longitudes west of 160° W count from 200° to 180° here, so that samples on both sides of the antimeridian (Fiji,
-- Chukotka) fall in one component; the seam moves to 160° W, open ocean. The metric clustering below is in UTM, which
-- measures across 180° as it is.
components AS (
    SELECT e.*, ST_ClusterDBSCAN(CASE WHEN ST_X(e.geom) < -160 THEN ST_Translate(e.geom, 360, 0) ELSE e.geom END, r.eps_deg, 1)
               OVER (PARTITION BY e.grp ORDER BY e.campaign, e.external_id, e.id) AS component,
           CASE WHEN ST_X(e.geom) < -160 THEN ST_X(e.geom) + 360 ELSE ST_X(e.geom) END AS seam_x
    FROM exceeding e JOIN reach r USING (grp)
),
zones AS (
    SELECT grp, component,
           CASE WHEN y >= 0 THEN 32600 ELSE 32700 END + least(60, greatest(1, floor((x + 180) / 6)::int + 1)) AS srid
    FROM (SELECT grp, component, avg(ST_Y(geom)) AS y, avg(seam_x) - CASE WHEN avg(seam_x) > 180 THEN 360 ELSE 0 END AS x
          FROM components GROUP BY grp, component) centres
),
clustered AS (
    SELECT c.*, z.srid, ST_Transform(c.geom, z.srid) AS metric,
           ST_ClusterDBSCAN(ST_Transform(c.geom, z.srid), $1::float8, $2::int)
               OVER (PARTITION BY c.grp, c.component ORDER BY c.campaign, c.external_id, c.id) AS cluster
    FROM components c JOIN zones z USING (grp, component)
),
clusters AS (
    SELECT grp, component, cluster, srid,
           count(*)::int AS sample_count,
           array_agg(id::text ORDER BY campaign, external_id, id) AS members,
           min(campaign || chr(31) || external_id) AS first_member,
           string_agg(DISTINCT matrix, ',' ORDER BY matrix) AS matrices,
           max(ratio) AS max_ratio,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) AS median_ratio,
           (min(sampled_at) AT TIME ZONE 'UTC')::date AS first_observed,
           (max(sampled_at) AT TIME ZONE 'UTC')::date AS last_observed,
           ST_Collect(metric ORDER BY campaign, external_id, id) AS points,
           mode() WITHIN GROUP (ORDER BY site_id) FILTER (WHERE site_id IS NOT NULL) AS member_site
    FROM clustered
    WHERE cluster IS NOT NULL
    GROUP BY grp, component, cluster, srid
),
outlined AS (
    SELECT c.*,
           -- Fewer than 3 points have no area: a buffer around the points. Otherwise a mostly convex hull (0.8)
           -- so a thin cluster along a river keeps its shape, buffered by the margin.
           ST_Transform(ST_Buffer(
               CASE WHEN c.sample_count >= 3 THEN ST_ConcaveHull(c.points, 0.8) ELSE c.points END, $3::float8, 8), 4326) AS outline
    FROM clusters c
),
shaped AS (
    SELECT c.*,
           -- Back in lon/lat, an outline across 180° has longitudes on both sides and would span the globe: it is cut
           -- there into a part on each side (RFC 7946 3.1.9).
           CASE WHEN ST_XMax(c.outline) - ST_XMin(c.outline) > 180 THEN ST_WrapX(ST_ShiftLongitude(c.outline), 180, -360)
                ELSE c.outline END AS geom,
           row_number() OVER (ORDER BY c.grp, c.first_member) AS n,
           row_number() OVER (PARTITION BY c.grp ORDER BY c.first_member) AS k
    FROM outlined c
),
settings AS (SELECT high_multiplier AS h, critical_multiplier AS c FROM assessment_settings)
SELECT md5(s.grp || ':' || array_to_string(s.members, ','))::uuid AS id,
       s.grp, s.n, s.k, s.geom, s.sample_count, s.matrices, s.max_ratio, s.median_ratio, s.first_observed, s.last_observed,
       coalesce(s.member_site, napgeo_site_for_point(ST_PointOnSurface(s.geom))) AS site_id,
       CASE WHEN s.max_ratio >= st.c * (1 - 1e-9) AND s.median_ratio >= st.h * (1 - 1e-9) THEN 'critical'
            WHEN s.max_ratio >= st.c * (1 - 1e-9) OR s.median_ratio >= st.h * (1 - 1e-9) THEN 'high'
            WHEN s.max_ratio >= st.h * (1 - 1e-9) THEN 'medium'
            ELSE 'low' END AS severity,
       CASE WHEN s.grp = 'sediment' THEN 'river_sediment'
            WHEN s.matrices = 'tailings' THEN 'tailings'
            ELSE 'other' END AS kind
FROM shaped s CROSS JOIN settings st
ORDER BY s.n
