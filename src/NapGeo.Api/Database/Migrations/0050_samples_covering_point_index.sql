-- A page of samples in a box (a dashboard's or QGIS's most common request) used to read every matching row from
-- the table twice, once to count them and once to order them: about 350 rows on as many scattered pages for a
-- 0.1° box over a million samples. PostGIS's GiST index stores boxes, so it cannot answer on its own. A plain
-- point column can: PostgreSQL's point GiST index returns the point itself, and with the list order's columns
-- (campaign, external_id, id) included, the count and the page's order come from the index alone. Only the
-- page's own rows are then read from the table (LayerSql.BboxClause, FeatureReader's narrow page).
ALTER TABLE samples ADD COLUMN IF NOT EXISTS lonlat point
    GENERATED ALWAYS AS (point(ST_X(geom), ST_Y(geom))) STORED;
CREATE INDEX IF NOT EXISTS samples_lonlat_idx ON samples USING gist (lonlat) INCLUDE (campaign, external_id, id);
