-- The reconciliation, per run and source table: lines read = invoiced + open + rejected + excluded, in lines
-- and in money, and `closes` says whether it does; a run's counts in `runs` are the sums of its
-- reconciliation rows.
-- For the latest run, also against billable_lines, which keeps one row per line with its latest
-- status, written by the last run that read it (run_id). What is derivable:
--   * open, rejected and excluded lines (and amounts) = the latest run's billable_lines rows of
--     that status: such a line is written again by every run that reads it, and no later run has
--     replaced it;
--   * invoiced lines >= the latest run's invoiced rows (its own invoices' lines); the rest are lines
--     invoiced earlier and read again, which keep their earlier row: so when the source has no
--     line invoiced earlier, invoiced lines and amount = the latest run's invoiced rows.
-- Not checked: the earlier runs against billable_lines (a later run replaced the rows of the lines
-- it read again, so their statuses then are gone); how many lines invoiced earlier the latest run
-- read again, and their amount as read (billable_lines keeps the row as invoiced, and a file may
-- hold an id twice); lines read = the files' rows (the files are not in the books).
WITH
latest AS (SELECT max(run_id) AS run_id FROM runs),
sums AS (
    SELECT run_id, sum(lines_read) AS lines_read, sum(lines_invoiced) AS lines_invoiced,
           sum(lines_open) AS lines_open, sum(lines_rejected) AS lines_rejected,
           sum(lines_excluded) AS lines_excluded
    FROM run_reconciliation WHERE source <> 'stock_mutations' GROUP BY run_id
),
lines AS (
    SELECT b.source,
           count(*) FILTER (WHERE b.status = 'invoiced' AND b.run_id = l.run_id) AS invoiced,
           coalesce(sum(b.amount) FILTER (WHERE b.status = 'invoiced' AND b.run_id = l.run_id), 0)
               AS amount_invoiced,
           count(*) FILTER (WHERE b.status = 'invoiced' AND b.run_id < l.run_id) AS invoiced_earlier,
           count(*) FILTER (WHERE b.status = 'open' AND b.run_id = l.run_id) AS open,
           coalesce(sum(b.amount) FILTER (WHERE b.status = 'open' AND b.run_id = l.run_id), 0)
               AS amount_open,
           count(*) FILTER (WHERE b.status = 'rejected' AND b.run_id = l.run_id) AS rejected,
           coalesce(sum(b.amount) FILTER (WHERE b.status = 'rejected' AND b.run_id = l.run_id), 0)
               AS amount_rejected,
           count(*) FILTER (WHERE b.status = 'excluded' AND b.run_id = l.run_id) AS excluded,
           coalesce(sum(b.amount) FILTER (WHERE b.status = 'excluded' AND b.run_id = l.run_id), 0)
               AS amount_excluded
    FROM billable_lines AS b, latest AS l
    GROUP BY b.source
),
checked AS (
    SELECT *,
           coalesce(lines_read = lines_invoiced + lines_open + lines_rejected + lines_excluded
                    AND amount_read = amount_invoiced + amount_open + amount_rejected
                                      + amount_excluded, false) AS adds_up
    FROM run_reconciliation
),
against AS (
    SELECT r.*, l.invoiced, l.amount_invoiced AS l_amount_invoiced, l.invoiced_earlier,
           l.open, l.amount_open AS l_amount_open, l.rejected,
           l.amount_rejected AS l_amount_rejected, l.excluded,
           l.amount_excluded AS l_amount_excluded
    FROM run_reconciliation AS r
    JOIN latest USING (run_id)
    LEFT JOIN lines AS l USING (source)
    -- (the stock mutations are no billable lines: verify/stock_mutations.sql checks them)
    WHERE r.source <> 'stock_mutations'
)
SELECT 'run ' || run_id || ' ' || source || ': read ' || lines_read || ' / ' || amount_read
       || ' = invoiced ' || lines_invoiced || ' / ' || amount_invoiced || ' + open ' || lines_open
       || ' / ' || amount_open || ' + rejected ' || lines_rejected || ' / ' || amount_rejected
       || ' + excluded ' || lines_excluded || ' / ' || amount_excluded
       || CASE WHEN NOT adds_up THEN ' does not close' ELSE ' closes' END
       -- (bracketed for sqlfluff, which reads a bare IS DISTINCT FROM in a select list as its
       -- FROM: sqlfluff/sqlfluff#3284)
       || CASE WHEN (closes IS DISTINCT FROM adds_up)
               THEN ', but the row says closes = ' || coalesce(closes::VARCHAR, 'NULL') ELSE '' END
           AS finding
FROM checked
WHERE NOT adds_up OR closes IS DISTINCT FROM adds_up
UNION ALL
SELECT 'run ' || r.run_id || ': runs says ' || concat_ws(', ',
           CASE WHEN r.lines_read IS DISTINCT FROM s.lines_read THEN 'lines_read ' || r.lines_read END,
           CASE WHEN r.lines_invoiced IS DISTINCT FROM s.lines_invoiced THEN 'lines_invoiced ' || r.lines_invoiced END,
           CASE WHEN r.lines_open IS DISTINCT FROM s.lines_open THEN 'lines_open ' || r.lines_open END,
           CASE WHEN r.lines_rejected IS DISTINCT FROM s.lines_rejected THEN 'lines_rejected ' || r.lines_rejected END,
           CASE WHEN r.lines_excluded IS DISTINCT FROM s.lines_excluded THEN 'lines_excluded ' || r.lines_excluded END)
       || ' but its reconciliation sums to read ' || s.lines_read || ', invoiced ' || s.lines_invoiced
       || ', open ' || s.lines_open || ', rejected ' || s.lines_rejected || ', excluded '
       || s.lines_excluded
FROM runs AS r JOIN sums AS s USING (run_id)
WHERE (r.lines_read, r.lines_invoiced, r.lines_open, r.lines_rejected, r.lines_excluded)
      IS DISTINCT FROM (s.lines_read, s.lines_invoiced, s.lines_open, s.lines_rejected, s.lines_excluded)
UNION ALL
SELECT 'run ' || run_id || ' ' || source || ' (the latest run) against billable_lines: '
       || concat_ws('; ',
              CASE WHEN lines_open <> coalesce(open, 0) OR amount_open <> coalesce(l_amount_open, 0)
                   THEN 'open ' || lines_open || ' / ' || amount_open || ' but its open lines are '
                        || coalesce(open, 0) || ' / ' || coalesce(l_amount_open, 0) END,
              CASE WHEN lines_rejected <> coalesce(rejected, 0)
                        OR amount_rejected <> coalesce(l_amount_rejected, 0)
                   THEN 'rejected ' || lines_rejected || ' / ' || amount_rejected
                        || ' but its rejected lines are ' || coalesce(rejected, 0) || ' / '
                        || coalesce(l_amount_rejected, 0) END,
              CASE WHEN lines_excluded <> coalesce(excluded, 0)
                        OR amount_excluded <> coalesce(l_amount_excluded, 0)
                   THEN 'excluded ' || lines_excluded || ' / ' || amount_excluded
                        || ' but its excluded lines are ' || coalesce(excluded, 0) || ' / '
                        || coalesce(l_amount_excluded, 0) END,
              CASE WHEN lines_invoiced < coalesce(invoiced, 0)
                        OR (coalesce(invoiced_earlier, 0) = 0
                            AND (lines_invoiced <> coalesce(invoiced, 0)
                                 OR amount_invoiced <> coalesce(l_amount_invoiced, 0)))
                   THEN 'invoiced ' || lines_invoiced || ' / ' || amount_invoiced
                        || ' but the lines it invoiced are ' || coalesce(invoiced, 0) || ' / '
                        || coalesce(l_amount_invoiced, 0)
                        || CASE WHEN coalesce(invoiced_earlier, 0) = 0
                                THEN ' and no line was invoiced earlier' ELSE '' END END)
FROM against
WHERE lines_open <> coalesce(open, 0) OR amount_open <> coalesce(l_amount_open, 0)
   OR lines_rejected <> coalesce(rejected, 0) OR amount_rejected <> coalesce(l_amount_rejected, 0)
   OR lines_excluded <> coalesce(excluded, 0) OR amount_excluded <> coalesce(l_amount_excluded, 0)
   OR lines_invoiced < coalesce(invoiced, 0)
   OR (coalesce(invoiced_earlier, 0) = 0
       AND (lines_invoiced <> coalesce(invoiced, 0) OR amount_invoiced <> coalesce(l_amount_invoiced, 0)))
UNION ALL
SELECT 'run ' || l.run_id || ' (the latest run) wrote ' || (b.invoiced + b.open + b.rejected + b.excluded)
       || ' ' || b.source || ' row(s) in billable_lines but has no reconciliation row for '
       || b.source
FROM lines AS b, latest AS l
WHERE b.invoiced + b.open + b.rejected + b.excluded > 0
  AND EXISTS (SELECT 1 FROM run_reconciliation AS r WHERE r.run_id = l.run_id)
  AND NOT EXISTS (SELECT 1 FROM run_reconciliation AS r
                  WHERE r.run_id = l.run_id AND r.source = b.source)
ORDER BY 1
