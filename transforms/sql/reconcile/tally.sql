-- materialized: append to reconcile.line_tallies
-- The reconciliation's tally: what became of the lines of the run's current administration, per source table: on
-- this run's invoices (run_invoice_lines), invoiced earlier, open, rejected, excluded, in lines
-- and in money. Appends to line_tallies (one row per source per administration).
WITH
on_invoices AS (
    SELECT source, count(*) AS lines, sum(amount) AS amount FROM reconcile.run_invoice_lines GROUP BY source
),
statuses AS (
    SELECT source,
           count(*) FILTER (WHERE status = 'invoiced') AS earlier_lines,
           coalesce(sum(amount) FILTER (WHERE status = 'invoiced'), 0) AS earlier_amount,
           count(*) FILTER (WHERE status = 'open') AS lines_open,
           coalesce(sum(amount) FILTER (WHERE status = 'open'), 0) AS amount_open,
           count(*) FILTER (WHERE status = 'rejected') AS lines_rejected,
           coalesce(sum(amount) FILTER (WHERE status = 'rejected'), 0) AS amount_rejected,
           count(*) FILTER (WHERE status = 'excluded') AS lines_excluded,
           coalesce(sum(amount) FILTER (WHERE status = 'excluded'), 0) AS amount_excluded
    FROM "group".keyed_lines
    GROUP BY source
)
SELECT s.source,
       coalesce(i.lines, 0) + s.earlier_lines AS lines_invoiced,
       s.lines_open, s.lines_rejected, s.lines_excluded,
       coalesce(i.amount, 0) + s.earlier_amount AS amount_invoiced,
       s.amount_open, s.amount_rejected, s.amount_excluded
FROM statuses AS s
LEFT JOIN on_invoices AS i USING (source)
