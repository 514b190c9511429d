-- Upsert, books side: lines invoiced in an earlier run keep their row; every other earlier row of
-- a (source, line_id) the run mapped (`rows`, from replaced_lines) gives way to the run's row.
DELETE FROM billable_lines AS b
USING rows AS k
WHERE k.source = b.source AND k.line_id IS NOT DISTINCT FROM b.line_id
  AND b.status <> 'invoiced'
  AND b.run_id <> $run_id  -- (not the rows this run wrote for an earlier administration)
