-- OGC API – Features: a collection's ETag and Last-Modified come from its newest audit entry,
-- found with one index probe rather than a scan of the whole log.
CREATE INDEX audit_log_table_id_idx ON audit_log (table_name, id);
