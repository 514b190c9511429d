-- Stock (SPEC §9, docs/stock.md): every mutation booked once; each one's shares of the stock
-- entry lines (stock_entry_lines) balance within each administration it books in and add up to
-- those lines, which exist; every stock entry line (source vrd) has its shares; the latest run's
-- reconciliation counts at least the mutations it booked.
WITH
links AS (
    SELECT entry_id, line_no, sum(debit) AS debit, sum(credit) AS credit,
           any_value(admin_id) AS admin_id, any_value(account) AS account
    FROM stock_entry_lines GROUP BY entry_id, line_no
),
lines AS (SELECT * FROM journal_entries WHERE source = 'vrd'),
latest AS (SELECT max(run_id) AS run_id FROM runs)
SELECT 'stock mutation ' || mutation_id || ' is booked ' || count(*) || ' times (runs '
       || string_agg(run_id::VARCHAR, ', ' ORDER BY run_id) || ')' AS finding
FROM stock_mutations GROUP BY mutation_id HAVING count(*) > 1
UNION ALL
SELECT 'stock mutation ' || mutation_id || ' in administration ' || admin_id
       || ': its entry lines do not balance (debit ' || sum(debit) || ', credit ' || sum(credit) || ')'
FROM stock_entry_lines GROUP BY mutation_id, admin_id HAVING sum(debit) <> sum(credit)
UNION ALL
SELECT 'stock entry ' || l.entry_id || ' line ' || l.line_no || ' (' || l.admin_id || ', account '
       || l.account || '): the mutations'' shares are debit ' || l.debit || ', credit ' || l.credit
       || CASE WHEN j.entry_id IS NULL THEN ', but journal_entries has no such stock line'
               ELSE ', but the line is debit ' || j.debit || ', credit ' || j.credit END
FROM links AS l
LEFT JOIN lines AS j USING (entry_id, line_no)
WHERE j.entry_id IS NULL OR j.debit <> l.debit OR j.credit <> l.credit
   OR j.account IS DISTINCT FROM l.account OR j.admin_id IS DISTINCT FROM l.admin_id
UNION ALL
SELECT 'stock entry ' || j.entry_id || ' line ' || j.line_no || ' (' || j.admin_id
       || ') has no mutation in stock_entry_lines'
FROM lines AS j
WHERE NOT EXISTS (SELECT 1 FROM links AS l WHERE l.entry_id = j.entry_id AND l.line_no = j.line_no)
UNION ALL
SELECT 'stock_entry_lines names mutation ' || l.mutation_id || ', which is not in stock_mutations'
FROM (SELECT DISTINCT mutation_id FROM stock_entry_lines) AS l
WHERE NOT EXISTS (SELECT 1 FROM stock_mutations AS m WHERE m.mutation_id = l.mutation_id)
UNION ALL
SELECT 'stock mutation ' || m.mutation_id || ' is booked (cost ' || m.cost_amount
       || ') but has no entry line'
FROM stock_mutations AS m
WHERE (m.cost_amount <> 0 OR m.transfer_amount <> 0)
  AND NOT EXISTS (SELECT 1 FROM stock_entry_lines AS l WHERE l.mutation_id = m.mutation_id)
UNION ALL
SELECT 'run ' || r.run_id || ' stock_mutations (the latest run): booked ' || r.lines_invoiced
       || ' but it booked ' || b.booked || ' mutation(s) into stock_mutations'
FROM run_reconciliation AS r
JOIN latest AS l USING (run_id)
JOIN (SELECT run_id, count(*) AS booked FROM stock_mutations GROUP BY run_id) AS b USING (run_id)
WHERE r.source = 'stock_mutations' AND r.lines_invoiced < b.booked
ORDER BY 1
