-- Every line of the run in one canonical shape. Grain: one row per input row (valid or not).
CREATE OR REPLACE TEMP TABLE staged_lines AS
SELECT 'order_lines' AS source, __row AS row_number, * EXCLUDE (__row),
       NULL::VARCHAR AS project_id, NULL::VARCHAR AS phase_id
FROM typed_order_lines
UNION ALL BY NAME
SELECT 'counter_lines' AS source, __row AS row_number, * EXCLUDE (__row)
FROM typed_counter_lines
