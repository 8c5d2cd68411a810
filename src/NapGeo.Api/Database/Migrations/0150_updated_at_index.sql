-- OGC API – Features: created_at and updated_at are queryables and sortables, so a dashboard can ask for what changed
-- since its last visit (filter=updated_at > TIMESTAMP('…')&sortby=updated_at) or for the latest changes
-- (sortby=-updated_at). Without an index each such page read the whole table: on a million samples a sorted page of
-- 100 took 0.3–0.5 s (a parallel scan and a top-N sort) and so did every poll of the changes; with it, a few index
-- pages (under 1 ms; the descending order reads it backwards). id follows, as it breaks ties in every order
-- (ItemsQuery.ReadSortBy). created_at is left without one: a new feature has its updated_at too.
CREATE INDEX IF NOT EXISTS sites_updated_idx ON sites (updated_at, id);
CREATE INDEX IF NOT EXISTS hotspots_updated_idx ON hotspots (updated_at, id);
CREATE INDEX IF NOT EXISTS samples_updated_idx ON samples (updated_at, id);
