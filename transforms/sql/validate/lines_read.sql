-- What was read, per line table: rows and Σ amounts (where computable) straight from the raw
-- text, for the reconciliation at the end of the run. Grain: one row per line table.
CREATE OR REPLACE TEMP TABLE lines_read AS
SELECT source, count(*) AS lines_read,
           coalesce(sum(fitting_line_amount(TRY_CAST(quantity AS DECIMAL(18, 4)),
                                            TRY_CAST(unit_price AS DECIMAL(18, 4)),
                                            to_bool(is_credit))), 0) AS amount_read
    FROM (
        SELECT 'order_lines' AS source, quantity, unit_price, is_credit FROM raw_order_lines
        UNION ALL SELECT 'counter_lines', quantity, unit_price, is_credit FROM raw_counter_lines
        UNION ALL SELECT 'postcalc_lines', quantity, unit_price, is_credit FROM raw_postcalc_lines
        UNION ALL SELECT 'installment_lines', quantity, unit_price, is_credit FROM raw_installment_lines
        UNION ALL SELECT 'subscription_lines', quantity, unit_price, is_credit FROM raw_subscription_lines
        UNION ALL SELECT 'course_lines', quantity, unit_price, is_credit FROM raw_course_lines
    )
    GROUP BY source
