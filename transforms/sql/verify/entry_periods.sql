-- SPEC §9: an invoice's entry is dated on the invoice date, in fiscal year = the calendar year
-- and period = the month of that date (the master data knows no other fiscal year, and
-- journalise/run_journal_entries.sql computes them so); every line of an entry carries the same
-- date, administration and journal.
SELECT 'entry ' || entry_id || ' line ' || line_no || ' (' || admin_id || '/' || journal_code
       || ', invoice ' || coalesce(invoice_number, '-') || ') dated '
       || coalesce(entry_date::VARCHAR, '(none)') || ' is in fiscal year '
       || coalesce(fiscal_year::VARCHAR, '(none)') || ' period ' || coalesce(period::VARCHAR, '(none)')
       || ', not ' || coalesce(year(entry_date)::VARCHAR, '?') || ' period '
       || coalesce(month(entry_date)::VARCHAR, '?') AS finding
FROM journal_entries
WHERE entry_date IS NULL OR fiscal_year IS DISTINCT FROM year(entry_date)
   OR period IS DISTINCT FROM month(entry_date)
UNION ALL
SELECT 'entry ' || entry_id || ' has lines of more than one '
       || concat_ws(' and ',
              CASE WHEN min(entry_date) <> max(entry_date) THEN 'date' END,
              CASE WHEN min(admin_id) <> max(admin_id) THEN 'administration' END,
              CASE WHEN min(journal_code) <> max(journal_code) THEN 'journal' END)
FROM journal_entries
GROUP BY entry_id
HAVING min(entry_date) <> max(entry_date) OR min(admin_id) <> max(admin_id)
    OR min(journal_code) <> max(journal_code)
UNION ALL
SELECT 'entry ' || e.entry_id || ' of invoice ' || i.invoice_number || ' is dated ' || e.entry_date
       || ' but the invoice ' || i.invoice_date
FROM (SELECT entry_id, invoice_number, journal_code, min(entry_date) AS entry_date
      FROM journal_entries WHERE invoice_number IS NOT NULL
      GROUP BY entry_id, invoice_number, journal_code) AS e
JOIN invoices AS i ON i.invoice_number = e.invoice_number AND i.journal_code = e.journal_code
WHERE e.entry_date IS DISTINCT FROM i.invoice_date
ORDER BY 1
