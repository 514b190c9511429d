-- Grain: one row per (invoice, VAT code).
CREATE OR REPLACE TEMP TABLE run_invoice_vat AS
SELECT n.invoice_number, v.* EXCLUDE (collect_key)
FROM draft_invoice_vat AS v
JOIN numbered_invoices AS n USING (collect_key)
