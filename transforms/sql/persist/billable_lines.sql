-- The run's view of every line it mapped (one row per input line; lines invoiced in an earlier
-- run keep their row there and are not written again). Written after delete_replaced_lines.
-- The lines invoiced now come with their invoice (through group's collect_key), the others
-- (open, rejected, excluded) without one.
WITH lines AS (
    SELECT
        g.* EXCLUDE (collect_key), 'invoiced' AS status_now, i.collect_key, i.invoice_number,
        i.journal_code AS seal_journal_code
    FROM "group".grouped_lines AS g
    LEFT JOIN number.run_invoices AS i USING (collect_key)
    UNION ALL BY NAME
    SELECT
        m.* EXCLUDE (collect_method, collect_period), m.status AS status_now,
        NULL::VARCHAR AS collect_key, NULL::VARCHAR AS invoice_number,
        NULL::VARCHAR AS seal_journal_code
    FROM map.mapped_lines AS m
    WHERE m.status <> 'to_invoice' AND m.earlier_invoice_number IS NULL
)
SELECT
    source, line_id, row_number, admin_id, debtor_id, line_date, item_code,
    article_group, integration_group, description, quantity, unit_price, vat_code,
    is_credit, manual, order_id, receipt_id, payment_method, delivery_date,
    project_id, phase_id, installment_id, subscription_id, course_id, period_start,
    period_end, exclude_from_collective, amount,
    status_now AS status,
    status_reason, is_collective,
    collect_key,
    invoice_number,
    revenue_account,
    -- (the administration and journal of the invoice: the chain an invoiced line is sealed in)
    admin_id AS seal_admin_id, seal_journal_code
FROM lines
