-- billable_lines holds one row per line (source, line_id): a run replaces the earlier rows of the
-- lines it reads, and a line invoiced earlier keeps its one row. Only the copies of an id that
-- one file held more than once share it: each is rejected as such by the run that read them.
-- (lines_once reports a line invoiced on two invoices; a line without an id cannot be told apart
-- here: lines_read_once finds a line a run wrote twice by its row in the file.)
SELECT source || ' line ' || line_id || ' has ' || count(*) || ' rows in billable_lines ('
       || string_agg(status || ' in run ' || coalesce(run_id::VARCHAR, '?')
                     || coalesce(' on ' || invoice_number, ''), ', '
                     ORDER BY run_id, status, invoice_number) || ')' AS finding
FROM billable_lines
WHERE line_id IS NOT NULL
GROUP BY source, line_id
HAVING count(*) > 1
   -- (copies of one file: each a row of its own, so no two of them share a row number)
   AND NOT (bool_and(status = 'rejected' AND status_reason LIKE '%occurs % times in the file%')
            AND min(run_id) = max(run_id) AND count(DISTINCT row_number) = count(*))
ORDER BY 1
