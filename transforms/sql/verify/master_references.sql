-- Every account, journal, debtor and VAT code the books use is in the master data of the run that
-- wrote the row (run_accounts, run_journals, run_debtors, run_vat_codes: what the run read, kept
-- beside its books). Runs without recorded master data (books of an earlier version) are left
-- out (verify says so); a run after the first that recorded it without any is a finding itself.
WITH
recorded AS (SELECT DISTINCT run_id FROM run_journals),
used AS (
    SELECT 'journal_entries' AS "table", 'account' AS kind, run_id, admin_id, account AS value,
           'entry ' || entry_id || ' line ' || line_no AS example
    FROM journal_entries
    UNION ALL
    SELECT 'journal_entries', 'journal', run_id, admin_id, journal_code,
           'entry ' || entry_id || ' line ' || line_no
    FROM journal_entries
    UNION ALL
    SELECT 'journal_entries', 'debtor', run_id, NULL, debtor_id,
           'entry ' || entry_id || ' line ' || line_no
    FROM journal_entries WHERE debtor_id IS NOT NULL
    UNION ALL
    SELECT 'journal_entries', 'VAT code', run_id, admin_id, vat_code,
           'entry ' || entry_id || ' line ' || line_no
    FROM journal_entries WHERE vat_code IS NOT NULL
    UNION ALL
    SELECT 'invoices', 'journal', run_id, admin_id, journal_code, 'invoice ' || invoice_number
    FROM invoices
    UNION ALL
    SELECT 'invoices', 'debtor', run_id, NULL, debtor_id, 'invoice ' || invoice_number
    FROM invoices
    UNION ALL
    SELECT 'invoice_vat', 'VAT code', v.run_id, i.admin_id, v.vat_code, 'invoice ' || v.invoice_number
    FROM invoice_vat AS v JOIN invoices AS i USING (invoice_number)
    UNION ALL
    SELECT 'open_items', 'debtor', run_id, NULL, debtor_id, 'invoice ' || invoice_number
    FROM open_items
    UNION ALL
    SELECT 'billable_lines', 'account', run_id, admin_id, revenue_account,
           source || ' line ' || line_id
    FROM billable_lines WHERE status = 'invoiced'
    UNION ALL
    SELECT 'billable_lines', 'VAT code', run_id, admin_id, vat_code, source || ' line ' || line_id
    FROM billable_lines WHERE status = 'invoiced'
    UNION ALL
    SELECT 'journal_counters', 'journal', run_id, admin_id, journal_code, 'its counter'
    FROM journal_counters
),
known AS (
    SELECT 'account' AS kind, run_id, admin_id, account AS value FROM run_accounts
    UNION ALL
    SELECT 'journal', run_id, admin_id, journal_code FROM run_journals
    UNION ALL
    SELECT 'debtor', run_id, NULL, debtor_id FROM run_debtors
    UNION ALL
    SELECT 'VAT code', run_id, admin_id, vat_code FROM run_vat_codes
),
unknown AS (
    SELECT u.* FROM used AS u
    WHERE u.run_id IN (SELECT run_id FROM recorded)
      AND NOT EXISTS (SELECT 1 FROM known AS k
                      WHERE k.kind = u.kind AND k.run_id = u.run_id
                        AND k.admin_id IS NOT DISTINCT FROM u.admin_id AND k.value = u.value)
)
SELECT "table" || ': ' || kind || ' ' || coalesce(value, '(none)')
       || coalesce(' of ' || admin_id, '') || ' is not in the master data of run ' || run_id
       || ' (' || count(*) || ' row(s), e.g. ' || min(example) || ')' AS finding
FROM unknown
GROUP BY "table", kind, value, admin_id, run_id
UNION ALL
SELECT 'run ' || r.run_id || ' recorded no master data (run ' || f.first_run
       || ' and later runs record it)'
FROM runs AS r, (SELECT min(run_id) AS first_run FROM recorded) AS f
WHERE r.run_id > f.first_run AND r.run_id NOT IN (SELECT run_id FROM recorded)
ORDER BY 1
