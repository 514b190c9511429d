-- Parquet: the open items of the selection, partitioned by administration and the fiscal year and
-- period of their invoice date. Grain: one row per invoice's open item.
SELECT
    *,
    year(invoice_date)::INTEGER AS fiscal_year,
    month(invoice_date)::INTEGER AS period
FROM open_items
WHERE export_selected(admin_id, invoice_date, $admin, $year, $period)
