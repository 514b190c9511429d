-- The run's invoices with their CODA reference (journalise), as the books keep them.
SELECT i.* EXCLUDE (source_code, receivables_account, payment_discount_pct, payment_discount_date,
                    cash_journal_code, cash_description),
       c.coda_reference
FROM number.run_invoices AS i
LEFT JOIN journalise.coda_references AS c USING (invoice_number)
