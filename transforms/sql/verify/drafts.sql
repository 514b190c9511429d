-- Invoices awaiting post (made by a run --no-journalize; verify counts them, they are no fault):
-- each one's drafts balance and none of it is booked yet; drafts belong to such invoices only.
SELECT 'invoice ' || i.invoice_number || ' awaits post but already has '
       || count(j.invoice_number) || ' journal entry line(s)' AS finding
FROM invoices AS i JOIN journal_entries AS j USING (invoice_number)
WHERE i.journalized IS NOT true
GROUP BY i.invoice_number
UNION ALL
SELECT 'the draft entries of invoice ' || d.invoice_number || ' '
       || CASE WHEN i.invoice_number IS NULL THEN 'name no invoice of the books'
               WHEN i.journalized THEN 'are left although it is journalised'
               ELSE 'do not balance: debit ' || sum(d.debit) || ', credit ' || sum(d.credit) END
FROM draft_entries AS d LEFT JOIN invoices AS i USING (invoice_number)
GROUP BY d.invoice_number, i.invoice_number, i.journalized
HAVING i.invoice_number IS NULL OR i.journalized OR sum(d.debit) <> sum(d.credit)
UNION ALL
SELECT 'the draft open item of invoice ' || o.invoice_number || ' '
       || CASE WHEN i.invoice_number IS NULL THEN 'names no invoice of the books'
               ELSE 'is left although it is journalised' END
FROM draft_open_items AS o LEFT JOIN invoices AS i USING (invoice_number)
WHERE i.invoice_number IS NULL OR i.journalized
ORDER BY 1
