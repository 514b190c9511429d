-- The month-end report: the reconciliation of each run of the period, per source table: lines
-- read = invoiced + open + rejected + excluded, in lines and in money.
SELECT
    c.run_id, c.source, c.lines_read, c.lines_invoiced, c.lines_open, c.lines_rejected,
    c.lines_excluded, c.amount_read, c.amount_invoiced, c.amount_open, c.amount_rejected,
    c.amount_excluded, c.closes
FROM run_reconciliation AS c
JOIN runs AS r USING (run_id)
WHERE r.reference_date BETWEEN date_trunc('month', $reference_date) AND $reference_date
ORDER BY c.run_id, c.source
