-- Parquet: the invoices of the selection, partitioned by administration and the fiscal year and
-- period of their invoice date (SPEC §9: fiscal year = calendar year, period = month).
-- Grain: one row per invoice.
SELECT
    *,
    year(invoice_date)::INTEGER AS fiscal_year,
    month(invoice_date)::INTEGER AS period
FROM invoices
WHERE export_selected(admin_id, invoice_date, $admin, $year, $period)
