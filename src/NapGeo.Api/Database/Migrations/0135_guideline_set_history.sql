-- A guideline set decides every sample's class, yet its writes left no trace: who removed a national set, and the
-- values it held, were lost. Each write now adds an audit entry holding the whole set (its guidelines included) before
-- and after, in the write's transaction. audit_log keys rows by uuid; a set's entries carry one derived from its code,
-- so the index on (table_name, row_id, at) finds a set's history. The version gives sets an ETag for If-Match, so that
-- two admins editing one set do not overwrite each other unknowingly.
ALTER TABLE guideline_sets ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE FUNCTION napgeo_guideline_set_row_id(set_code text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
    SELECT md5('guideline_sets:' || set_code)::uuid
$$;

CREATE FUNCTION napgeo_guideline_set_json(set_code text) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('code', s.code, 'name', s.name, 'description', s.description, 'version', s.version,
               'guidelines', coalesce((SELECT jsonb_agg(to_jsonb(g) - 'set_code' ORDER BY g.id) FROM guidelines g WHERE g.set_code = s.code), '[]'))
    FROM guideline_sets s
    WHERE s.code = set_code
$$;

-- A set removed and made again goes on from the versions in its history: starting at 1 again would give the new set the
-- ETag of the old one, and a client's copy of the old set would pass If-None-Match (a stale 304) and If-Match.
CREATE FUNCTION napgeo_guideline_set_first_version(set_code text) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT coalesce(max(greatest((before->>'version')::int, (after->>'version')::int)), 0) + 1
    FROM audit_log
    WHERE table_name = 'guideline_sets' AND row_id = napgeo_guideline_set_row_id(set_code)
$$;

-- Called after the write, in its transaction; the caller read the set's state before it (napgeo_guideline_set_json).
CREATE FUNCTION napgeo_audit_guideline_set(set_code text, before jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO audit_log (actor, table_name, row_id, action, before, after)
    SELECT napgeo_actor(), 'guideline_sets', napgeo_guideline_set_row_id(set_code),
           CASE WHEN before IS NULL THEN 'insert' WHEN a.after IS NULL THEN 'delete' ELSE 'update' END, before, a.after
    FROM (SELECT napgeo_guideline_set_json(set_code) AS after) a
$$;
