-- SPEC §9: every stock entry balances within its administration, and names accounts of its
-- chart; any row here stops the run, nothing is written.
SELECT 'stock entry ' || entry_id || ' (' || admin_id || '/' || journal_code || ', '
       || strftime(any_value(entry_date), '%Y-%m-%d') || ') does not balance: debit '
       || sum(debit) || ', credit ' || sum(credit) AS message
FROM journalise.run_stock_entries
GROUP BY entry_id, admin_id, journal_code
HAVING sum(debit) <> sum(credit)
UNION ALL
SELECT 'stock mutation ' || escaped(l.mutation_id) || ' (' || l.role || ' line of administration '
       || l.admin_id || ')'
       || CASE WHEN l.account IS NULL THEN ' has no account'
               ELSE ': account ' || l.account || ' is not in the accounts of administration '
                    || l.admin_id END AS message
FROM journalise.stock_entry_links AS l
WHERE NOT EXISTS (SELECT 1 FROM master.accounts AS a
                  WHERE a.admin_id = l.admin_id AND a.account = l.account)
UNION ALL
SELECT 'stock mutation ' || escaped(mutation_id) || ': administration ' || admin_id
       || ' has no journal for its stock entry'
FROM journalise.stock_entry_links WHERE journal_code IS NULL
