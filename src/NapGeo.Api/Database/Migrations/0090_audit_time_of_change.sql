-- The audit time was now(): when the writing transaction began. A transaction that began before a response was served
-- but wrote after it then carried an older time than that response's Last-Modified, and If-Modified-Since answered
-- 304 over data that had changed. clock_timestamp() is when the row was written, which is after any response that
-- could not yet see it (CollectionVersion also gives no Last-Modified while a writer is open).
ALTER TABLE audit_log ALTER COLUMN at SET DEFAULT clock_timestamp();
