-- (with the journal of the invoice: the chain the rows are sealed in)
SELECT o.*, o.admin_id AS seal_admin_id, i.journal_code AS seal_journal_code
FROM journalise.run_open_items AS o
JOIN number.run_invoices AS i USING (invoice_number)
