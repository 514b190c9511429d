-- Grain: one row per (invoice, VAT code); with the invoice's administration and journal, the
-- chain its rows are sealed in (transforms/seal.py).
SELECT n.invoice_number, v.* EXCLUDE (collect_key),
       n.admin_id AS seal_admin_id, n.journal_code AS seal_journal_code
FROM "group".draft_invoice_vat AS v
JOIN number.numbered_invoices AS n USING (collect_key)
