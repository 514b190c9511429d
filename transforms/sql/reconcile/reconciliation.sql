-- The run's reconciliation, per source table: lines read = invoiced + open + rejected + excluded, in lines and in
-- money. "Read" was counted from the raw files as they were read (lines_read), apart from the stages;
-- "invoiced" is what is on this run's invoices plus the lines invoiced earlier, summed over the
-- administrations the run went through (line_tallies, reconcile/tally.sql).
-- Amounts that cannot be computed (an unparsable quantity or price) count as zero on both sides.
-- Grain: one row per source table.
WITH
read AS (SELECT * FROM validate.lines_read),
tallies AS (
    SELECT source, sum(lines_invoiced) AS lines_invoiced, sum(lines_open) AS lines_open,
           sum(lines_rejected) AS lines_rejected, sum(lines_excluded) AS lines_excluded,
           sum(amount_invoiced) AS amount_invoiced, sum(amount_open) AS amount_open,
           sum(amount_rejected) AS amount_rejected, sum(amount_excluded) AS amount_excluded
    FROM reconcile.line_tallies
    GROUP BY source
),
summed AS (
    SELECT
        r.source, r.lines_read,
        coalesce(t.lines_invoiced, 0) AS lines_invoiced,
        coalesce(t.lines_open, 0) AS lines_open,
        coalesce(t.lines_rejected, 0) AS lines_rejected,
        coalesce(t.lines_excluded, 0) AS lines_excluded,
        r.amount_read::DECIMAL(18, 2) AS amount_read,
        coalesce(t.amount_invoiced, 0)::DECIMAL(18, 2) AS amount_invoiced,
        coalesce(t.amount_open, 0)::DECIMAL(18, 2) AS amount_open,
        coalesce(t.amount_rejected, 0)::DECIMAL(18, 2) AS amount_rejected,
        coalesce(t.amount_excluded, 0)::DECIMAL(18, 2) AS amount_excluded
    FROM read AS r
    LEFT JOIN tallies AS t USING (source)
)
SELECT *,
       lines_read = lines_invoiced + lines_open + lines_rejected + lines_excluded
       AND amount_read = amount_invoiced + amount_open + amount_rejected + amount_excluded
           AS closes
FROM summed
