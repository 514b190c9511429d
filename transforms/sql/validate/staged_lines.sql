-- Every line of the run in one canonical shape, with the administration SPEC §4 gives it and the
-- collecting facts of SPEC §8 its source carries. Grain: one row per input row (valid or not).
--   order, counter: the line's own administration;
--   postcalc, installment: the project's;
--   subscription: the subscription's project's, else the subscription's own, else default_admin
--                 (never the sales relation profile's);
--   course: the course's, else default_admin.
-- A subscription line belongs to its subscription's project, if any; the subscription lines
-- are those of lines/subscription_lines and those generated from master/subscription_items.
-- The one copy of the lines: the files are read (through the typed views) and cast here, once.
-- Its rows are stored in administration order, so the run's pass over one administration reads
-- that administration's row groups only; each line's amount (SPEC §9) is computed here, once,
-- and __suspect marks a row whose text breaks a column check (validate names the fault);
-- allocation holds its cost allocation codes (validate.allocation_sql: JSON {axis: code}).
WITH default_admin AS (
    SELECT any_value(value) AS admin_id FROM master.settings WHERE key = 'default_admin'
),
staged AS (
SELECT 'order_lines' AS source, __row AS row_number, * EXCLUDE (__row),
       false AS exclude_from_collective, false AS invoice_separately
FROM validate.typed_order_lines
UNION ALL BY NAME
SELECT 'counter_lines' AS source, __row AS row_number, * EXCLUDE (__row),
       false AS exclude_from_collective, false AS invoice_separately
FROM validate.typed_counter_lines
UNION ALL BY NAME
SELECT 'postcalc_lines' AS source, l.__row AS row_number, l.* EXCLUDE (__row),
       p.admin_id, coalesce(p.exclude_from_collective, false) AS exclude_from_collective,
       coalesce(p.invoice_separately, false) AS invoice_separately
FROM validate.typed_postcalc_lines AS l
LEFT JOIN master.projects AS p USING (project_id)
UNION ALL BY NAME
SELECT 'installment_lines' AS source, l.__row AS row_number, l.* EXCLUDE (__row, exclude_from_collective),
       p.admin_id,
       coalesce(l.exclude_from_collective, false) OR coalesce(p.exclude_from_collective, false)
           AS exclude_from_collective,
       coalesce(p.invoice_separately, false) AS invoice_separately
FROM validate.typed_installment_lines AS l
LEFT JOIN master.projects AS p USING (project_id)
UNION ALL BY NAME
SELECT 'subscription_lines' AS source, l.__row AS row_number, l.* EXCLUDE (__row, allocation),
       -- (SPEC §9: the subscription's own codes, its dim_<axis> columns, override its lines')
       CASE WHEN s.allocation IS NULL THEN l.allocation
            ELSE json_merge_patch(coalesce(l.allocation, '{}'), s.allocation)::VARCHAR
       END AS allocation,
       s.project_id,
       CASE WHEN s.subscription_id IS NOT NULL
            THEN coalesce(p.admin_id, s.admin_id, (SELECT admin_id FROM default_admin)) END
           AS admin_id,
       coalesce(s.exclude_from_collective, false) OR coalesce(p.exclude_from_collective, false)
           AS exclude_from_collective,
       coalesce(p.invoice_separately, false) AS invoice_separately
FROM (
    -- (SPEC §7: with the lines the run generates from the subscription items, one stream;
    -- a generated line has no row of a file: its row_number is NULL)
    SELECT * FROM validate.typed_subscription_lines
    UNION ALL BY NAME
    SELECT * FROM validate.generated_subscription_lines
) AS l
LEFT JOIN master.subscriptions AS s USING (subscription_id)
LEFT JOIN master.projects AS p ON p.project_id = s.project_id
UNION ALL BY NAME
SELECT 'course_lines' AS source, l.__row AS row_number, l.* EXCLUDE (__row),
       CASE WHEN c.course_id IS NOT NULL
            THEN coalesce(c.admin_id, (SELECT admin_id FROM default_admin)) END AS admin_id,
       coalesce(c.exclude_from_collective, false) AS exclude_from_collective,
       false AS invoice_separately
FROM validate.typed_course_lines AS l
LEFT JOIN master.courses AS c USING (course_id)
)
SELECT *, fitting_line_amount(quantity, unit_price, is_credit) AS amount
FROM staged
ORDER BY admin_id NULLS LAST
