-- A result below detection is known only to be under the detection limit, which value_normalized then holds. When
-- that limit is at or under the guideline the sample is below it; when the limit is above the guideline (a field
-- analyser's limit of 100 µg/L against WHO's 6 µg/L for water) the sample cannot tell: the class is null, as the
-- ratio already was, while the guideline is still named. It used to read "below", a finding the sample cannot make.
CREATE OR REPLACE FUNCTION napgeo_assess(p_matrix text, p_unit text, p_value double precision, p_below boolean, p_site uuid)
RETURNS napgeo_assessment LANGUAGE sql STABLE AS $$
    SELECT g.id, g.set_code, g.value, g.unit,
           CASE WHEN p_below THEN NULL ELSE p_value / g.value END,
           CASE WHEN p_below AND (p_value IS NULL OR p_value / g.value <= 1 + 1e-9) THEN 'below'
                WHEN p_below THEN NULL
                WHEN p_value IS NULL THEN NULL
                WHEN p_value / g.value >= st.critical_multiplier * (1 - 1e-9) THEN 'critical'
                WHEN p_value / g.value >= st.high_multiplier * (1 - 1e-9) THEN 'high'
                WHEN p_value / g.value > 1 + 1e-9 THEN 'above'
                ELSE 'below' END
    FROM guidelines g CROSS JOIN assessment_settings st
    WHERE g.matrix = p_matrix AND g.unit = p_unit AND g.is_default
      AND (g.set_code = 'default' OR g.set_code = (SELECT s.country::text FROM sites s WHERE s.id = p_site))
    ORDER BY g.set_code = 'default'
    LIMIT 1
$$;

-- Samples stored before: only those whose finding changes are written.
SELECT napgeo_reassess_samples();
