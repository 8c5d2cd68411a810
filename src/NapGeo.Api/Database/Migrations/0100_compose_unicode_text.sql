-- Text was stored as sent: "Région" with é as one character and with e + a combining accent were two admin1 areas in
-- the statistics, and a filter or search typed one way missed the other. The API now stores text composed (NFC);
-- this brings every text column of the three layers in line. An ordinary update: versions move on, the audit log
-- records it. normalize() needs a UTF8 database, which every NapGeo database is; any other is left alone.
DO $$
DECLARE
    layer text;
    assignments text;
    changed text;
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' THEN RETURN; END IF;
    FOREACH layer IN ARRAY ARRAY['sites', 'hotspots', 'samples'] LOOP
        SELECT string_agg(format('%1$I = normalize(%1$I, NFC)', column_name), ', ' ORDER BY ordinal_position),
               string_agg(format('%I IS NOT NFC NORMALIZED', column_name), ' OR ' ORDER BY ordinal_position)
        INTO assignments, changed
        FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = layer AND data_type = 'text' AND is_generated = 'NEVER';
        IF assignments IS NOT NULL THEN
            EXECUTE format('UPDATE %I SET %s WHERE %s', layer, assignments, changed);
        END IF;
    END LOOP;
END $$;
