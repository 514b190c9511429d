-- Parquet: the amounts per invoice and VAT code of the selection's invoices, partitioned as their
-- invoice. Grain: one row per (invoice, VAT code).
SELECT
    v.*,
    i.admin_id,
    year(i.invoice_date)::INTEGER AS fiscal_year,
    month(i.invoice_date)::INTEGER AS period
FROM invoice_vat AS v
JOIN invoices AS i ON v.invoice_number = i.invoice_number
WHERE export_selected(i.admin_id, i.invoice_date, $admin, $year, $period)
