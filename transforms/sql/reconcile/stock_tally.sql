-- materialized: append to reconcile.line_tallies
-- The reconciliation's tally of the stock mutations (SPEC §9, one row): booked (by this run, or
-- earlier: counted as booked, as a line invoiced earlier counts as invoiced), open (not yet due),
-- rejected and excluded, in count and in cost (cost_amount; an unparsable one counts as zero on
-- both sides). reconcile.close then checks read = booked + open + rejected + excluded; the row's
-- "invoiced" columns hold the booked ones.
SELECT
    'stock_mutations' AS source,
    count(*) FILTER (WHERE status IN ('booked', 'to_book')) AS lines_invoiced,
    count(*) FILTER (WHERE status = 'open') AS lines_open,
    count(*) FILTER (WHERE status = 'rejected') AS lines_rejected,
    count(*) FILTER (WHERE status = 'excluded') AS lines_excluded,
    coalesce(sum(cost_amount) FILTER (WHERE status IN ('booked', 'to_book')), 0) AS amount_invoiced,
    coalesce(sum(cost_amount) FILTER (WHERE status = 'open'), 0) AS amount_open,
    coalesce(sum(cost_amount) FILTER (WHERE status = 'rejected'), 0) AS amount_rejected,
    coalesce(sum(cost_amount) FILTER (WHERE status = 'excluded'), 0) AS amount_excluded
FROM journalise.run_stock_mutations
HAVING count(*) > 0
