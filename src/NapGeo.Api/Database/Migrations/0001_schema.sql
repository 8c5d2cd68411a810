-- NapGeo core schema: the NAP baseline (sites), mercury hotspots and rapid-assessment samples.
-- Geometries are EPSG:4326; enumerations are CHECK constraints so the database refuses what the API would.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE sites (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    site_code text NOT NULL UNIQUE CHECK (length(site_code) BETWEEN 1 AND 64),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    country char(3) NOT NULL CHECK (country ~ '^[A-Z]{3}$'),
    admin1 text,
    admin2 text,
    geom geometry(MultiPolygon, 4326) NOT NULL,
    status text NOT NULL DEFAULT 'unknown' CHECK (status IN ('active', 'inactive', 'abandoned', 'unknown')),
    deposit_type text NOT NULL DEFAULT 'unknown'
        CHECK (deposit_type IN ('alluvial', 'hard_rock', 'eluvial_colluvial', 'tailings', 'unknown')),
    -- Minamata Convention Annex C 1(b): the four worst practices.
    whole_ore_amalgamation boolean NOT NULL DEFAULT false,
    open_burning_amalgam boolean NOT NULL DEFAULT false,
    residential_burning_amalgam boolean NOT NULL DEFAULT false,
    cyanide_leaching_hg_material boolean NOT NULL DEFAULT false,
    concentrate_amalgamation boolean NOT NULL DEFAULT false,
    retorts boolean NOT NULL DEFAULT false,
    gravity_only boolean NOT NULL DEFAULT false,
    cyanidation boolean NOT NULL DEFAULT false,
    miners_total integer CHECK (miners_total >= 0),
    miners_women integer CHECK (miners_women >= 0),
    miners_children integer CHECK (miners_children >= 0),
    mercury_use_kg_yr double precision CHECK (mercury_use_kg_yr >= 0),
    gold_production_kg_yr double precision CHECK (gold_production_kg_yr >= 0),
    legal_status text NOT NULL DEFAULT 'unknown'
        CHECK (legal_status IN ('licensed', 'unlicensed', 'formalization_in_progress', 'unknown')),
    survey_date date,
    data_source text,
    notes text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX sites_geom_idx ON sites USING gist (geom);
CREATE INDEX sites_country_idx ON sites (country, admin1);

CREATE TABLE hotspots (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    site_id uuid REFERENCES sites (id) ON DELETE SET NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    geom geometry(Geometry, 4326) NOT NULL
        CHECK (GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON', 'POINT')),
    kind text NOT NULL DEFAULT 'other'
        CHECK (kind IN ('amalgam_burning', 'ore_processing', 'tailings', 'gold_shop', 'river_sediment', 'other')),
    severity text NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    origin text NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual', 'derived')),
    first_observed date,
    last_observed date,
    notes text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX hotspots_geom_idx ON hotspots USING gist (geom);
CREATE INDEX hotspots_site_idx ON hotspots (site_id);

CREATE TABLE samples (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 100),
    campaign text NOT NULL CHECK (length(campaign) BETWEEN 1 AND 100),
    geom geometry(Point, 4326) NOT NULL,
    matrix text NOT NULL
        CHECK (matrix IN ('soil', 'sediment', 'tailings', 'water', 'air', 'fish', 'hair', 'urine', 'blood', 'other')),
    value double precision CHECK (value >= 0 AND value <> 'NaN' AND value <> 'Infinity'),
    unit text NOT NULL,
    value_normalized double precision,
    unit_normalized text,
    below_detection boolean NOT NULL DEFAULT false,
    detection_limit double precision CHECK (detection_limit >= 0 AND detection_limit <> 'NaN' AND detection_limit <> 'Infinity'),
    method text,
    laboratory text,
    sampled_at timestamptz,
    site_id uuid REFERENCES sites (id) ON DELETE SET NULL,
    notes text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    UNIQUE (campaign, external_id),
    CHECK (value IS NOT NULL OR below_detection)
);
CREATE INDEX samples_geom_idx ON samples USING gist (geom);
CREATE INDEX samples_matrix_idx ON samples (matrix, sampled_at);
CREATE INDEX samples_site_idx ON samples (site_id);

-- Keys are 256-bit random secrets, so a single SHA-256 is enough to make a stolen table useless;
-- the prefix lets a request find its row without scanning.
CREATE TABLE api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    prefix text NOT NULL UNIQUE,
    key_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    table_name text NOT NULL,
    row_id uuid NOT NULL,
    action text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    before jsonb,
    after jsonb
);
CREATE INDEX audit_log_row_idx ON audit_log (table_name, row_id, at);
