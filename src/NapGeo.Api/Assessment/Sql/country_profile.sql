-- A country's NAP baseline (Minamata Convention Annex C 1(d)) beside its assessment findings. $1 = ISO3 code.
-- Samples count for the country through their site (samples without a site belong to no country).
WITH s AS (SELECT * FROM sites WHERE country = $1),
smp AS (SELECT x.* FROM samples x JOIN s ON x.site_id = s.id),
-- A hotspot counts for the country when linked to one of its sites or drawn over one.
hs AS (SELECT h.* FROM hotspots h
       WHERE EXISTS (SELECT 1 FROM s WHERE h.site_id = s.id OR (h.geom && s.geom AND ST_Intersects(h.geom, s.geom)))),
by_matrix AS (
    SELECT matrix, jsonb_build_object(
        'count', count(*),
        'below', count(*) FILTER (WHERE exceedance_class = 'below'),
        'above', count(*) FILTER (WHERE exceedance_class = 'above'),
        'high', count(*) FILTER (WHERE exceedance_class = 'high'),
        'critical', count(*) FILTER (WHERE exceedance_class = 'critical'),
        'not_assessed', count(*) FILTER (WHERE exceedance_class IS NULL),
        'max_ratio', max(exceedance_ratio)) AS item
    FROM smp GROUP BY matrix
)
SELECT jsonb_build_object(
    'country', $1::text,
    'baseline', (SELECT jsonb_build_object(
        'sites', count(*),
        'sites_by_status', jsonb_build_object(
            'active', count(*) FILTER (WHERE status = 'active'), 'inactive', count(*) FILTER (WHERE status = 'inactive'),
            'abandoned', count(*) FILTER (WHERE status = 'abandoned'), 'unknown', count(*) FILTER (WHERE status = 'unknown')),
        'sites_by_legal_status', jsonb_build_object(
            'licensed', count(*) FILTER (WHERE legal_status = 'licensed'),
            'unlicensed', count(*) FILTER (WHERE legal_status = 'unlicensed'),
            'formalization_in_progress', count(*) FILTER (WHERE legal_status = 'formalization_in_progress'),
            'unknown', count(*) FILTER (WHERE legal_status = 'unknown')),
        'sites_with_miner_estimate', count(miners_total),
        'miners_total', coalesce(sum(miners_total), 0),
        'miners_women', coalesce(sum(miners_women) FILTER (WHERE miners_total IS NOT NULL), 0),
        'miners_children', coalesce(sum(miners_children) FILTER (WHERE miners_total IS NOT NULL), 0),
        'sites_with_mercury_estimate', count(mercury_use_kg_yr),
        'mercury_use_kg_yr', round(coalesce(sum(mercury_use_kg_yr), 0)::numeric, 3)::float8,
        'gold_production_kg_yr', round(coalesce(sum(gold_production_kg_yr), 0)::numeric, 3)::float8,
        'worst_practices', jsonb_build_object(
            'whole_ore_amalgamation', count(*) FILTER (WHERE whole_ore_amalgamation),
            'open_burning_amalgam', count(*) FILTER (WHERE open_burning_amalgam),
            'residential_burning_amalgam', count(*) FILTER (WHERE residential_burning_amalgam),
            'cyanide_leaching_hg_material', count(*) FILTER (WHERE cyanide_leaching_hg_material),
            'any', count(*) FILTER (WHERE whole_ore_amalgamation OR open_burning_amalgam OR residential_burning_amalgam
                                          OR cyanide_leaching_hg_material)),
        'other_practices', jsonb_build_object(
            'concentrate_amalgamation', count(*) FILTER (WHERE concentrate_amalgamation),
            'retorts', count(*) FILTER (WHERE retorts),
            'gravity_only', count(*) FILTER (WHERE gravity_only),
            'cyanidation', count(*) FILTER (WHERE cyanidation)),
        'latest_survey', max(survey_date)) FROM s),
    'findings', jsonb_build_object(
        'samples', (SELECT count(*) FROM smp),
        'sites_with_samples', (SELECT count(DISTINCT site_id) FROM smp),
        'samples_by_class', (SELECT jsonb_build_object(
            'below', count(*) FILTER (WHERE exceedance_class = 'below'),
            'above', count(*) FILTER (WHERE exceedance_class = 'above'),
            'high', count(*) FILTER (WHERE exceedance_class = 'high'),
            'critical', count(*) FILTER (WHERE exceedance_class = 'critical'),
            'not_assessed', count(*) FILTER (WHERE exceedance_class IS NULL)) FROM smp),
        'samples_by_matrix', coalesce((SELECT jsonb_object_agg(matrix, item ORDER BY matrix) FROM by_matrix), '{}'),
        'guideline_sets', coalesce((SELECT jsonb_agg(DISTINCT guideline_set) FROM smp WHERE guideline_set IS NOT NULL), '[]'),
        'hotspots', (SELECT count(*) FROM hs),
        'hotspots_by_severity', (SELECT jsonb_build_object(
            'critical', count(*) FILTER (WHERE severity = 'critical'), 'high', count(*) FILTER (WHERE severity = 'high'),
            'medium', count(*) FILTER (WHERE severity = 'medium'), 'low', count(*) FILTER (WHERE severity = 'low')) FROM hs),
        'hotspots_by_origin', (SELECT jsonb_build_object(
            'manual', count(*) FILTER (WHERE origin = 'manual'), 'derived', count(*) FILTER (WHERE origin = 'derived')) FROM hs),
        'hotspots_linked_to_sites', (SELECT count(*) FROM hs WHERE site_id IS NOT NULL))
)::text
WHERE EXISTS (SELECT 1 FROM s)
