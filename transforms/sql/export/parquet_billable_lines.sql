-- Parquet: the billable lines (every input line and what became of it), partitioned by
-- administration and the fiscal year and period of the line's own date. A line rejected before
-- its administration or date was known has NULL there: it is in the partitions named NULL, which
-- only an export of everything (no --admin, --year or --period) writes. Grain: one row per line.
SELECT
    *,
    year(line_date)::INTEGER AS fiscal_year,
    month(line_date)::INTEGER AS period
FROM billable_lines
WHERE export_selected(admin_id, line_date, $admin, $year, $period)
