-- The month-end report: the period's invoices per administration, source (line table) and
-- journal, from the books' view invoices_by_source.
SELECT admin_id, source, journal_code, invoices, collective_invoices, credit_invoices, lines, amount
FROM invoices_by_source
WHERE fiscal_year = year($reference_date) AND period = month($reference_date)
ORDER BY admin_id, source, journal_code
