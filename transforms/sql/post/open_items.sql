-- The draft open items of the invoices posted, into open_items (with the administration and
-- journal of the invoice: the chain the rows are sealed in).
SELECT o.* EXCLUDE (run_id), o.admin_id AS seal_admin_id, p.journal_code AS seal_journal_code
FROM books.draft_open_items AS o
JOIN post.posted_invoices AS p USING (invoice_number)
