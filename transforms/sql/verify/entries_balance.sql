-- SPEC §9: every entry balances to the cent; debit and credit are never negative.
SELECT 'entry ' || entry_id || ' (' || any_value(admin_id) || '/' || any_value(journal_code)
       || ', invoice ' || coalesce(any_value(invoice_number), '-') || ') does not balance: debit '
       || sum(debit) || ', credit ' || sum(credit) AS finding
FROM journal_entries GROUP BY entry_id HAVING sum(debit) <> sum(credit)
UNION ALL
SELECT 'entry ' || entry_id || ' line ' || line_no || ' has a negative side (debit ' || debit
       || ', credit ' || credit || ')'
FROM journal_entries WHERE debit < 0 OR credit < 0
ORDER BY 1
