-- The run's view of every line it mapped (one row per input line; lines invoiced in an earlier
-- run keep their row there and are not written again). Written after delete_replaced_lines.
SELECT
    m.source, m.line_id, m.row_number, m.admin_id, m.debtor_id, m.line_date, m.item_code,
    m.article_group, m.integration_group, m.description, m.quantity, m.unit_price, m.vat_code,
    m.is_credit, m.manual, m.order_id, m.receipt_id, m.payment_method, m.delivery_date,
    m.project_id, m.phase_id, m.installment_id, m.subscription_id, m.course_id, m.period_start,
    m.period_end, m.exclude_from_collective, m.amount,
    CASE WHEN m.status = 'to_invoice' THEN 'invoiced' ELSE m.status END AS status,
    m.status_reason, m.is_collective,
    i.collect_key,
    i.invoice_number,
    m.revenue_account,
    m.allocation,  -- (JSON {axis: code}; the codes an invoiced line gave are in entry_allocations)
    -- (the administration and journal of the invoice: the chain an invoiced line is sealed in)
    m.admin_id AS seal_admin_id, i.journal_code AS seal_journal_code
FROM "group".keyed_lines AS m
LEFT JOIN number.run_invoices AS i USING (collect_key)
WHERE m.earlier_invoice_number IS NULL
