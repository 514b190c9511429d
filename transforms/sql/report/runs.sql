-- The month-end report: the runs of the period (run, backfill, resume: their reference date in
-- it), oldest first.
SELECT
    run_id, command, status, finished_at, reference_date, invoice_date, admin_id, lines_read,
    lines_invoiced, lines_open, lines_rejected, lines_excluded, invoices, journal_entry_lines, seal
FROM runs
WHERE reference_date BETWEEN date_trunc('month', $reference_date) AND $reference_date
ORDER BY run_id
