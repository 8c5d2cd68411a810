-- Field data uploads (issue 5): one row per committed (or rejected) upload with its report and progress,
-- and per-upload change records so that DELETE /api/uploads/{id} can restore exactly what the upload changed.
CREATE TABLE uploads (
    id uuid PRIMARY KEY,
    file_name text NOT NULL,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes bigint NOT NULL,
    format text NOT NULL,
    target text NOT NULL CHECK (target IN ('samples', 'sites', 'hotspots')),
    campaign text,
    crs text,
    on_error text NOT NULL CHECK (on_error IN ('reject-all', 'skip-invalid')),
    actor text NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'committed', 'rejected', 'failed', 'rolled_back')),
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    rows_total integer,
    rows_processed integer NOT NULL DEFAULT 0,
    counts jsonb,
    report jsonb,
    rolled_back_at timestamptz,
    rolled_back_by text
);
CREATE INDEX uploads_sha256_idx ON uploads (sha256, target);
CREATE INDEX uploads_created_idx ON uploads (created_at DESC);

-- What one upload did to one row: inserted it, or updated it from the before-image kept here.
-- version_after is the row version the upload left; a rollback refuses when the row has moved on since.
-- No foreign key to uploads: a bulk upload writes a change record per row, and a per-row RI check would cost
-- as much as the audit trigger; the upload row is written in the same transaction (or before it) anyway.
CREATE TABLE upload_changes (
    upload_id uuid NOT NULL,
    table_name text NOT NULL CHECK (table_name IN ('samples', 'sites', 'hotspots')),
    row_id uuid NOT NULL,
    action text NOT NULL CHECK (action IN ('insert', 'update')),
    before jsonb,
    before_geom geometry,
    version_after integer NOT NULL,
    row_no integer NOT NULL,
    PRIMARY KEY (upload_id, table_name, row_id)
);
CREATE INDEX upload_changes_row_idx ON upload_changes (table_name, row_id);
