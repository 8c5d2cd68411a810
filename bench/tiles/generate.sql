-- Synthetic NAP data for the tile benchmark: :sites site polygons (octagons of 50 m to 1 km radius) and
-- :samples sample points over Ghana's extent. Row triggers (site linking, audit) are switched off for the load:
-- the benchmark measures reads, and a million audit rows would only slow the set-up.
\set ON_ERROR_STOP on
ALTER TABLE sites DISABLE TRIGGER USER;
ALTER TABLE samples DISABLE TRIGGER USER;
TRUNCATE samples, hotspots, sites CASCADE;
SELECT setseed(0.42) \g /dev/null
INSERT INTO sites (site_code, name, country, admin1, geom, status, deposit_type, miners_total, mercury_use_kg_yr)
SELECT 'B' || i, 'Bench site ' || i, 'GHA', 'Region ' || (i % 16),
       ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(-3.3 + random() * 4.5, 4.7 + random() * 6.5), 4326),
                          0.0005 + random() * 0.009, 'quad_segs=2')),
       (ARRAY['active', 'inactive', 'abandoned', 'unknown'])[1 + (i % 4)],
       (ARRAY['alluvial', 'hard_rock', 'eluvial_colluvial', 'tailings', 'unknown'])[1 + (i % 5)],
       (random() * 2000)::int, random() * 300
FROM generate_series(1, :sites) AS i;
INSERT INTO samples (external_id, campaign, geom, matrix, value, unit, value_normalized, unit_normalized, sampled_at)
SELECT 'S' || i, 'BENCH', ST_SetSRID(ST_MakePoint(-3.3 + random() * 4.5, 4.7 + random() * 6.5), 4326),
       m, v, 'mg/kg', v, 'mg/kg', timestamptz '2023-01-01' + random() * interval '700 days'
FROM (SELECT i, (ARRAY['soil', 'sediment', 'tailings', 'water', 'air', 'fish', 'hair', 'urine', 'blood', 'other'])[1 + (i % 10)] AS m,
             round((exp(random() * 6) / 10)::numeric, 3)::float8 AS v
      FROM generate_series(1, :samples) AS i) s;
ALTER TABLE sites ENABLE TRIGGER USER;
ALTER TABLE samples ENABLE TRIGGER USER;
VACUUM ANALYZE sites;
VACUUM ANALYZE samples;
