-- Samples no site could be linked to (none containing them, none within 5 km): they belong to no area.
SELECT matrix, count(*) FROM samples WHERE site_id IS NULL GROUP BY matrix
