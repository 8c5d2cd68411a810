-- Codes that name a record (sites.site_code; samples.campaign and external_id) are now stored without Unicode format
-- characters (category Cf: zero-width spaces and joiners, bidi marks, soft hyphens, BOMs; LayerField.Visible), and
-- filters and uploads match them so. Rows written before kept theirs: a re-upload no longer matched them and inserted
-- a look-alike beside them, and a filter did not find them. They are cleaned here, as a write would clean them, unless
-- the clean code is taken already (two look-alike records, which a person must merge): those are left as they are and
-- named in a NOTICE.
CREATE FUNCTION pg_temp.visible(code text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT btrim(regexp_replace(code,
        '[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]',
        '', 'g'))
$$;

DO $$
DECLARE
    left_alone text;
BEGIN
    WITH cleaned AS (
        SELECT id, site_code, pg_temp.visible(site_code) AS clean FROM sites
    ),
    taken AS (
        SELECT DISTINCT ON (c.clean) c.id, c.clean
        FROM cleaned c
        WHERE c.clean <> c.site_code AND length(c.clean) > 0
          AND NOT EXISTS (SELECT 1 FROM sites o WHERE o.site_code = c.clean)
        ORDER BY c.clean, c.id
    )
    UPDATE sites s SET site_code = t.clean FROM taken t WHERE s.id = t.id;

    WITH cleaned AS (
        SELECT id, campaign, external_id, pg_temp.visible(campaign) AS clean_campaign, pg_temp.visible(external_id) AS clean_id
        FROM samples
    ),
    taken AS (
        SELECT DISTINCT ON (c.clean_campaign, c.clean_id) c.id, c.clean_campaign, c.clean_id
        FROM cleaned c
        WHERE (c.clean_campaign, c.clean_id) <> (c.campaign, c.external_id) AND length(c.clean_campaign) > 0 AND length(c.clean_id) > 0
          AND NOT EXISTS (SELECT 1 FROM samples o WHERE o.campaign = c.clean_campaign AND o.external_id = c.clean_id)
        ORDER BY c.clean_campaign, c.clean_id, c.id
    )
    UPDATE samples s SET campaign = t.clean_campaign, external_id = t.clean_id FROM taken t WHERE s.id = t.id;

    SELECT string_agg(what, '; ') INTO left_alone FROM (
        SELECT 'site ' || id || ' (' || site_code || ')' AS what FROM sites WHERE pg_temp.visible(site_code) <> site_code
        UNION ALL
        SELECT 'sample ' || id FROM samples WHERE pg_temp.visible(campaign) <> campaign OR pg_temp.visible(external_id) <> external_id
    ) x;
    IF left_alone IS NOT NULL THEN
        RAISE NOTICE 'codes with invisible characters left as they are, their visible form being taken: %', left_alone;
    END IF;
END $$;
