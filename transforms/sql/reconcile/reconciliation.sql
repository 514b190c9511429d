-- Issue 4: per source table, lines read = invoiced + open + rejected + excluded, in lines and in
-- money. "Read" was counted from the raw files as they were read (lines_read), apart from the stages;
-- "invoiced" is what is on this run's invoices (run_invoice_lines) plus the lines invoiced earlier.
-- Amounts that cannot be computed (an unparsable quantity or price) count as zero on both sides.
-- Grain: one row per source table.
CREATE OR REPLACE TEMP TABLE reconciliation AS
WITH
read AS (SELECT * FROM lines_read),
on_invoices AS (
    SELECT source, count(*) AS lines, sum(amount) AS amount FROM run_invoice_lines GROUP BY source
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
    FROM mapped_lines
    GROUP BY source
),
summed AS (
    SELECT
        r.source, r.lines_read,
        coalesce(i.lines, 0) + coalesce(s.earlier_lines, 0) AS lines_invoiced,
        coalesce(s.lines_open, 0) AS lines_open,
        coalesce(s.lines_rejected, 0) AS lines_rejected,
        coalesce(s.lines_excluded, 0) AS lines_excluded,
        r.amount_read::DECIMAL(18, 2) AS amount_read,
        (coalesce(i.amount, 0) + coalesce(s.earlier_amount, 0))::DECIMAL(18, 2) AS amount_invoiced,
        coalesce(s.amount_open, 0)::DECIMAL(18, 2) AS amount_open,
        coalesce(s.amount_rejected, 0)::DECIMAL(18, 2) AS amount_rejected,
        coalesce(s.amount_excluded, 0)::DECIMAL(18, 2) AS amount_excluded
    FROM read AS r
    LEFT JOIN on_invoices AS i USING (source)
    LEFT JOIN statuses AS s USING (source)
)
SELECT *,
       lines_read = lines_invoiced + lines_open + lines_rejected + lines_excluded
       AND amount_read = amount_invoiced + amount_open + amount_rejected + amount_excluded
           AS closes
FROM summed
