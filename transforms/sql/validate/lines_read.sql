-- What was read, per line table: rows and Σ amounts (where computable), for the reconciliation
-- at the end of the run, counted as the lines were loaded (typed_<table>: one row per row of the
-- file, every value cast with TRY_CAST, so an unparsable amount counts as zero), apart from the
-- later stages. Grain: one row per line table.
CREATE OR REPLACE TEMP TABLE lines_read AS
SELECT source, count(*) AS lines_read,
       coalesce(sum(fitting_line_amount(quantity, unit_price, is_credit)), 0) AS amount_read
FROM (
    SELECT 'order_lines' AS source, quantity, unit_price, is_credit FROM typed_order_lines
    UNION ALL SELECT 'counter_lines', quantity, unit_price, is_credit FROM typed_counter_lines
    UNION ALL SELECT 'postcalc_lines', quantity, unit_price, is_credit FROM typed_postcalc_lines
    UNION ALL SELECT 'installment_lines', quantity, unit_price, is_credit FROM typed_installment_lines
    UNION ALL SELECT 'subscription_lines', quantity, unit_price, is_credit FROM typed_subscription_lines
    UNION ALL SELECT 'course_lines', quantity, unit_price, is_credit FROM typed_course_lines
)
GROUP BY source
