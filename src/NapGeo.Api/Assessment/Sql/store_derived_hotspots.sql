-- Brings the derived hotspots in line with a new derivation (derive_hotspots.sql goes in at the WITH below; $4 the notes) while
-- writing only what differs. Ids are md5 of the members, so an unchanged cluster keeps its id: rewriting it would
-- add two audit rows (delete, insert) and a tile invalidation per hotspot for nothing. Hotspots no longer derived are
-- deleted, new ids inserted, and a kept id updated only when a stored column differs. All the parts read the
-- snapshot from before the statement, and touch disjoint ids (a data-modifying WITH part runs whether read or not).
-- Returns the current derived hotspots in order, each row carrying the number of hotspots deleted.
WITH d AS MATERIALIZED ({derive}),
named AS MATERIALIZED (
    SELECT d.*, left('Derived ' || d.grp || ' hotspot ' || d.k || coalesce(' at ' || s.site_code, ''), 200) AS name
    FROM d LEFT JOIN sites s ON s.id = d.site_id
),
removed AS (
    DELETE FROM hotspots h
    WHERE h.origin = 'derived' AND NOT EXISTS (SELECT 1 FROM named n WHERE n.id = h.id)
    RETURNING h.id
),
changed AS (
    UPDATE hotspots h
    SET name = n.name, geom = n.geom, kind = n.kind, severity = n.severity, site_id = n.site_id,
        first_observed = n.first_observed, last_observed = n.last_observed, notes = $4, medium_group = n.grp,
        sample_count = n.sample_count, matrices = n.matrices, max_ratio = n.max_ratio, median_ratio = n.median_ratio
    FROM named n
    WHERE h.id = n.id AND h.origin = 'derived'
      AND (h.name, h.geom, h.kind, h.severity, h.site_id, h.first_observed, h.last_observed, h.notes, h.medium_group,
           h.sample_count, h.matrices, h.max_ratio, h.median_ratio)
          IS DISTINCT FROM
          (n.name, n.geom, n.kind, n.severity, n.site_id, n.first_observed, n.last_observed, $4, n.grp,
           n.sample_count, n.matrices, n.max_ratio, n.median_ratio)
    RETURNING h.id
),
inserted AS (
    INSERT INTO hotspots (id, name, geom, kind, severity, origin, site_id, first_observed, last_observed, notes,
                          medium_group, sample_count, matrices, max_ratio, median_ratio)
    SELECT id, name, geom, kind, severity, 'derived', site_id, first_observed, last_observed, $4,
           grp, sample_count, matrices, max_ratio, median_ratio
    FROM named n
    WHERE NOT EXISTS (SELECT 1 FROM hotspots h WHERE h.id = n.id AND h.origin = 'derived')
    RETURNING id
)
-- One row even when nothing is derived any more, so that the number deleted is always answered (id NULL then).
SELECT n.id, n.name, n.grp, n.severity, n.kind, n.sample_count, n.matrices, n.max_ratio, n.median_ratio, n.first_observed,
       n.last_observed, n.site_id, c.removed
FROM (SELECT count(*)::int AS removed FROM removed) c LEFT JOIN named n ON true
ORDER BY n.n
