-- What was read, per line table: rows and Σ amounts (where computable), for the reconciliation
-- at the end of the run, counted as the lines were loaded (staged_lines: one row per row of the
-- file, every value cast with TRY_CAST, so an unparsable amount counts as zero), apart from the
-- later stages. Grain: one row per line table.
SELECT source, count(*) AS lines_read, coalesce(sum(amount), 0) AS amount_read
FROM validate.staged_lines
GROUP BY source
