-- A journalised invoice has one entry whose debtor line carries its total, and one open item.
SELECT 'invoice ' || i.invoice_number || ' (' || i.total_incl_vat || ') is journalised but '
       || CASE WHEN d.invoice_number IS NULL THEN 'has no entry'
               ELSE 'the debtor line of its entry is ' || d.amount END AS finding
FROM invoices AS i
LEFT JOIN (
    -- the invoice's own entry is the one in its journal (a cash sale's settlement is another)
    SELECT invoice_number, journal_code, sum(debit) - sum(credit) AS amount
    FROM journal_entries WHERE debtor_id IS NOT NULL GROUP BY invoice_number, journal_code
) AS d ON d.invoice_number = i.invoice_number AND d.journal_code = i.journal_code
WHERE i.journalized AND (d.invoice_number IS NULL OR d.amount <> i.total_incl_vat)
UNION ALL
SELECT 'invoice ' || i.invoice_number || ' has ' || count(o.invoice_number) || ' open items'
FROM invoices AS i LEFT JOIN open_items AS o USING (invoice_number)
WHERE i.journalized
GROUP BY i.invoice_number HAVING count(o.invoice_number) <> 1
ORDER BY 1
