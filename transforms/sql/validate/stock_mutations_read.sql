-- materialized: append to validate.lines_read
-- What was read of lines/stock_mutations, for the reconciliation (read = booked + open (not yet
-- due) + rejected + excluded, in count and in cost): rows and Σ cost amounts (an unparsable
-- amount counts as zero, as for the billable lines). Grain: one row (none without the file's rows).
SELECT source, count(*) AS lines_read, coalesce(sum(cost_amount), 0) AS amount_read
FROM validate.staged_stock_mutations
GROUP BY source
