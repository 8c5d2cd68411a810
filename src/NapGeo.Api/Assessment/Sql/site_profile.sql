-- The assessment findings of one site ($1): per matrix and unit basis, and the hotspots linked to or inside it.
-- min/median/max are over detected values; share_above is the share of assessed samples above their guideline.
WITH site AS (SELECT id, geom FROM sites WHERE id = $1),
per_matrix AS (
    SELECT jsonb_build_object(
               'matrix', matrix,
               'unit', unit_normalized,
               'count', count(*),
               'detected', count(*) FILTER (WHERE NOT below_detection),
               'below_detection', count(*) FILTER (WHERE below_detection),
               'min', min(value_normalized) FILTER (WHERE NOT below_detection),
               'median', percentile_cont(0.5) WITHIN GROUP (ORDER BY value_normalized) FILTER (WHERE NOT below_detection),
               'max', max(value_normalized) FILTER (WHERE NOT below_detection),
               'assessed', count(exceedance_class),
               'above_guideline', count(*) FILTER (WHERE exceedance_class IN ('above', 'high', 'critical')),
               'share_above', (count(*) FILTER (WHERE exceedance_class IN ('above', 'high', 'critical')))::float8
                              / nullif(count(exceedance_class), 0),
               'by_class', jsonb_build_object(
                   'below', count(*) FILTER (WHERE exceedance_class = 'below'),
                   'above', count(*) FILTER (WHERE exceedance_class = 'above'),
                   'high', count(*) FILTER (WHERE exceedance_class = 'high'),
                   'critical', count(*) FILTER (WHERE exceedance_class = 'critical')),
               'max_ratio', max(exceedance_ratio),
               -- One site is in one country, so its samples of one matrix and unit share one guideline.
               'guideline_value', max(guideline_value),
               'guideline_unit', max(guideline_unit),
               'guidelines', coalesce(jsonb_agg(DISTINCT guideline_id) FILTER (WHERE guideline_id IS NOT NULL), '[]'),
               'guideline_sets', coalesce(jsonb_agg(DISTINCT guideline_set) FILTER (WHERE guideline_set IS NOT NULL), '[]'),
               'latest', max(sampled_at)) AS item,
           matrix, unit_normalized
    FROM samples WHERE site_id = $1
    GROUP BY matrix, unit_normalized
),
inside AS (
    SELECT h.* FROM hotspots h, site s
    WHERE h.site_id = s.id OR (h.geom && s.geom AND ST_Intersects(h.geom, s.geom))
)
SELECT jsonb_build_object(
    'samples', (SELECT count(*) FROM samples WHERE site_id = $1),
    'matrices', coalesce((SELECT jsonb_agg(item ORDER BY matrix, unit_normalized) FROM per_matrix), '[]'),
    'hotspots', coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'id', id, 'name', name, 'kind', kind, 'severity', severity, 'origin', origin,
                    'medium_group', medium_group, 'sample_count', sample_count, 'max_ratio', max_ratio,
                    'first_observed', first_observed, 'last_observed', last_observed)
                ORDER BY array_position(ARRAY['critical', 'high', 'medium', 'low'], severity), name, id) FROM inside), '[]')
)::text
FROM site
