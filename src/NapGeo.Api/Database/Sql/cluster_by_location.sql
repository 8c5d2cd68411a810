-- {{table}} rewritten in the order of its geometries' geohashes (a Z-order curve), so that features near each other
-- share pages: a page of a box, a tile or a regional export then reads a few pages instead of one per feature.
-- The index only gives CLUSTER that order; dropped in the same transaction, it costs later writes nothing.
-- Waiting for a lock stalls every reader queued behind it, so each try waits briefly and Maintenance tries again after a
-- pause in which those readers go on; a table busy through every try is left for another time. The table is
-- locked whole before the index is built: CREATE INDEX alone takes a lesser lock that CLUSTER must then upgrade, and a
-- transaction that read the table and then writes it (an upload's commit) would deadlock with it and be the one aborted.
SET LOCAL lock_timeout = '200ms';
SET LOCAL statement_timeout = 0;
LOCK TABLE {{table}} IN ACCESS EXCLUSIVE MODE;
CREATE INDEX {{table}}_cluster_order ON {{table}} (ST_GeoHash(geom));
CLUSTER {{table}} USING {{table}}_cluster_order;
DROP INDEX {{table}}_cluster_order;
