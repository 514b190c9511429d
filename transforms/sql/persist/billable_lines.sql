-- Upsert the run's view of every input line: lines invoiced in an earlier run keep their row;
-- every other earlier row of the same (source, line_id) gives way to this run's.
DELETE FROM billable_lines AS b
WHERE b.status <> 'invoiced'
  AND b.run_id <> $run_id  -- (not the rows this run wrote for an earlier administration)
  AND (b.line_id IS NULL AND b.source IN (SELECT DISTINCT source FROM mapped_lines)
       OR EXISTS (SELECT 1 FROM mapped_lines AS m
                  WHERE m.source = b.source AND m.line_id = b.line_id));
