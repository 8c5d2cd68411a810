-- Mercury assessment (issue 6): guideline sets, per-sample exceedance computed in the database, and the
-- statistics of hotspots derived from samples. The exceedance is a trigger so every write path (REST,
-- uploads, psql) assesses a sample the same way; guideline changes re-assess all samples in one statement.

-- 'default' holds the international values of data/guidelines.csv (seeded at start-up); a national set is
-- named by its ISO 3166-1 alpha-3 code and applies to samples whose site is in that country.
CREATE TABLE guideline_sets (
    code text PRIMARY KEY CHECK (code = 'default' OR code ~ '^[A-Z]{3}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT napgeo_actor()
);

-- Values are stored in the canonical unit of Samples/Units.cs, so a comparison never mixes bases.
CREATE TABLE guidelines (
    set_code text NOT NULL REFERENCES guideline_sets (code) ON DELETE CASCADE,
    id text NOT NULL CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,99}$'),
    matrix text NOT NULL
        CHECK (matrix IN ('soil', 'sediment', 'tailings', 'water', 'air', 'fish', 'hair', 'urine', 'blood')),
    value double precision NOT NULL CHECK (value > 0 AND value <> 'Infinity'),
    unit text NOT NULL,
    is_default boolean NOT NULL DEFAULT false,
    name text NOT NULL,
    protects text,
    source text NOT NULL,
    url text,
    year integer,
    verified text,
    note text,
    PRIMARY KEY (set_code, id)
);
-- The applied guideline of a matrix: one default per set, matrix and unit basis.
CREATE UNIQUE INDEX guidelines_one_default_idx ON guidelines (set_code, matrix, unit) WHERE is_default;

CREATE TABLE assessment_settings (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    high_multiplier double precision NOT NULL DEFAULT 5 CHECK (high_multiplier > 1),
    critical_multiplier double precision NOT NULL DEFAULT 20,
    CHECK (critical_multiplier > high_multiplier)
);
INSERT INTO assessment_settings DEFAULT VALUES;
INSERT INTO guideline_sets (code, name, description)
VALUES ('default', 'International guideline values', 'Managed by data/guidelines.csv (seeded at start-up).');

ALTER TABLE samples
    ADD COLUMN guideline_id text,
    ADD COLUMN guideline_set text,
    ADD COLUMN guideline_value double precision,
    ADD COLUMN guideline_unit text,
    ADD COLUMN exceedance_ratio double precision,
    ADD COLUMN exceedance_class text CHECK (exceedance_class IN ('below', 'above', 'high', 'critical'));
CREATE INDEX samples_exceedance_idx ON samples (exceedance_class, matrix);

ALTER TABLE hotspots
    ADD COLUMN medium_group text CHECK (medium_group IN ('soil', 'sediment', 'water', 'air', 'biota', 'human')),
    ADD COLUMN sample_count integer,
    ADD COLUMN matrices text,
    ADD COLUMN max_ratio double precision,
    ADD COLUMN median_ratio double precision;
CREATE INDEX hotspots_origin_idx ON hotspots (origin);

CREATE TYPE napgeo_assessment AS (
    guideline_id text, guideline_set text, guideline_value double precision, guideline_unit text,
    exceedance_ratio double precision, exceedance_class text);

-- The guideline of a sample: the default row for its matrix and normalized unit in its country's set, else in
-- 'default'. Below detection the true value is unknown: no ratio, and the class is always 'below'.
-- Ratios within 1e-9 (relative) of a boundary count as on it, so 30 µg/L against 6 µg/L is exactly 'high'
-- whatever floating-point unit conversion did to it.
CREATE FUNCTION napgeo_assess(p_matrix text, p_unit text, p_value double precision, p_below boolean, p_site uuid)
RETURNS napgeo_assessment LANGUAGE sql STABLE AS $$
    SELECT g.id, g.set_code, g.value, g.unit,
           CASE WHEN p_below THEN NULL ELSE p_value / g.value END,
           CASE WHEN p_below THEN 'below'
                WHEN p_value IS NULL THEN NULL
                WHEN p_value / g.value >= st.critical_multiplier * (1 - 1e-9) THEN 'critical'
                WHEN p_value / g.value >= st.high_multiplier * (1 - 1e-9) THEN 'high'
                WHEN p_value / g.value > 1 + 1e-9 THEN 'above'
                ELSE 'below' END
    FROM guidelines g CROSS JOIN assessment_settings st
    WHERE g.matrix = p_matrix AND g.unit = p_unit AND g.is_default
      AND (g.set_code = 'default' OR g.set_code = (SELECT s.country::text FROM sites s WHERE s.id = p_site))
    ORDER BY g.set_code = 'default'
    LIMIT 1
$$;

CREATE FUNCTION napgeo_assess_sample() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE a napgeo_assessment;
BEGIN
    a := napgeo_assess(NEW.matrix, NEW.unit_normalized, NEW.value_normalized, NEW.below_detection, NEW.site_id);
    NEW.guideline_id := a.guideline_id;
    NEW.guideline_set := a.guideline_set;
    NEW.guideline_value := a.guideline_value;
    NEW.guideline_unit := a.guideline_unit;
    NEW.exceedance_ratio := a.exceedance_ratio;
    NEW.exceedance_class := a.exceedance_class;
    RETURN NEW;
END $$;

-- BEFORE triggers fire in name order: samples_link_site sets site_id (hence the country) first.
CREATE TRIGGER samples_score_exceedance BEFORE INSERT OR UPDATE ON samples
    FOR EACH ROW EXECUTE FUNCTION napgeo_assess_sample();

-- Re-assesses the samples (of the given sites, or all) whose assessment changed, in one statement; only
-- changed rows are written, so their version and the audit log move only when the finding moves.
CREATE FUNCTION napgeo_reassess_samples(p_sites uuid[] DEFAULT NULL) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE changed bigint;
BEGIN
    IF cardinality(p_sites) = 0 THEN RETURN 0; END IF;
    WITH fresh AS (
        SELECT o.id, a.*
        FROM samples o
        CROSS JOIN LATERAL napgeo_assess(o.matrix, o.unit_normalized, o.value_normalized, o.below_detection, o.site_id) a
        WHERE p_sites IS NULL OR o.site_id = ANY (p_sites)
    )
    UPDATE samples s
    SET guideline_id = f.guideline_id, guideline_set = f.guideline_set, guideline_value = f.guideline_value,
        guideline_unit = f.guideline_unit, exceedance_ratio = f.exceedance_ratio, exceedance_class = f.exceedance_class
    FROM fresh f
    WHERE f.id = s.id
      AND (s.guideline_id, s.guideline_set, s.guideline_value, s.guideline_unit, s.exceedance_ratio, s.exceedance_class)
          IS DISTINCT FROM (f.guideline_id, f.guideline_set, f.guideline_value, f.guideline_unit, f.exceedance_ratio, f.exceedance_class);
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END $$;

-- A site that changes country moves its samples to another guideline set.
CREATE FUNCTION napgeo_reassess_site_samples() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM napgeo_reassess_samples(ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o USING (id) WHERE n.country IS DISTINCT FROM o.country));
    RETURN NULL;
END $$;
CREATE TRIGGER sites_reassess_samples AFTER UPDATE ON sites REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION napgeo_reassess_site_samples();
