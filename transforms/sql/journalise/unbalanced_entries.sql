-- SPEC §9: every entry balances to the cent; any row here stops the run, nothing is written.
SELECT 'entry ' || entry_id || ' (' || admin_id || '/' || journal_code || ', invoice '
       || invoice_number || ') does not balance: debit ' || sum(debit) || ', credit '
       || sum(credit) AS message
FROM journalise.run_journal_entries
GROUP BY entry_id, admin_id, journal_code, invoice_number
HAVING sum(debit) <> sum(credit)
UNION ALL
SELECT 'entry ' || e.entry_id || ' (invoice ' || e.invoice_number || ') line ' || e.line_no
       || CASE WHEN e.account IS NULL THEN ' has no account'
               ELSE ': account ' || e.account || ' is not in the accounts of administration '
                    || e.admin_id END AS message
FROM journalise.run_journal_entries AS e
WHERE NOT EXISTS (SELECT 1 FROM master.accounts AS a
                  WHERE a.admin_id = e.admin_id AND a.account = e.account)
