-- Text used to be stored as sent: " Geita" and "Geita" were two provinces in the statistics and on the map, and ""
-- an area of its own. The API now trims text and stores a blank as NULL; this brings the rows written before in line.
-- It is an ordinary update: the rows' versions move on and the audit log records it.
UPDATE sites
SET admin1 = nullif(btrim(admin1), ''), admin2 = nullif(btrim(admin2), '')
WHERE admin1 IS DISTINCT FROM nullif(btrim(admin1), '') OR admin2 IS DISTINCT FROM nullif(btrim(admin2), '');
