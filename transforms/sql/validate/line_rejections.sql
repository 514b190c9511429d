-- Quarantine of the run: one row per (table, row, column, check) a line broke.
-- Made empty before the lines are read; validate adds the faults of the column checks, and
-- reference_rejections those of the rules across rows and tables.
SELECT NULL::VARCHAR AS "table", NULL::BIGINT AS row_number, NULL::VARCHAR AS "column",
       NULL::VARCHAR AS "check", NULL::VARCHAR AS value, NULL::VARCHAR AS message
WHERE false
