-- SPEC §8: the invoice each line to invoice goes on, as its collect_key (NULL for a line not
-- to invoice), added to map's lines as they are made into the run's one wide table (map's
-- mapped_lines is a view: the lines are computed once, here).
-- Without collecting: order lines one invoice per (administration, debtor, order); counter
-- lines one per receipt (per debtor and payment method, so that one invoice is settled one
-- way); postcalc one per (debtor, project); installments one per (debtor, project,
-- installment); subscriptions one per (debtor, subscription); courses one per (debtor, course).
-- Collected lines (verzamelfactuur; whether a line is collected is decided with its
-- integration type in map): one invoice per administration and debtor, split by the
-- profile's method (per_sales_relation: a project with invoice_separately apart; per_project:
-- per project; per_concept_debtor: never split) and period (ISO week, calendar month, 4-week
-- block of ISO weeks with week 53 in the 13th block, or none). The administration is always
-- in the key.
-- Grain: one row per staged line of the administration the run is at (every: of all lines).
SELECT
    * EXCLUDE (collect_method, collect_period),
    CASE
        WHEN status <> 'to_invoice' THEN NULL
        WHEN is_collective THEN concat_ws('|', 'collective', admin_id, debtor_id,
            CASE
                WHEN collect_method = 'per_project' THEN 'project=' || coalesce(project_id, '')
                WHEN collect_method = 'per_concept_debtor' THEN 'debtor'
                WHEN invoice_separately THEN 'project=' || project_id
                ELSE 'debtor'
            END,
            CASE collect_period
                WHEN 'week' THEN 'week=' || strftime(line_date, '%G-W%V')
                WHEN 'month' THEN 'month=' || strftime(line_date, '%Y-%m')
                WHEN 'four_weeks' THEN 'block=' || isoyear(line_date) || '-'
                    || lpad(least((week(line_date) - 1) // 4 + 1, 13)::VARCHAR, 2, '0')
                ELSE 'all'
            END)
        WHEN source = 'order_lines' THEN concat_ws('|', source, admin_id, debtor_id, order_id)
        WHEN source = 'counter_lines'
            THEN concat_ws('|', source, admin_id, receipt_id, debtor_id, payment_method)
        WHEN source = 'postcalc_lines' THEN concat_ws('|', source, admin_id, debtor_id, project_id)
        WHEN source = 'installment_lines'
            THEN concat_ws('|', source, admin_id, debtor_id, project_id, installment_id)
        WHEN source = 'subscription_lines'
            THEN concat_ws('|', source, admin_id, debtor_id, subscription_id)
        WHEN source = 'course_lines' THEN concat_ws('|', source, admin_id, debtor_id, course_id)
    END AS collect_key
FROM map.mapped_lines
WHERE $every OR admin_id IS NOT DISTINCT FROM $chunk_admin  -- the administration the run is at
