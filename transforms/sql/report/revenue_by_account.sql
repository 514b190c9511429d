-- The month-end report: revenue per administration and account in the report's period, and in
-- its fiscal year up to and including the period. One row per (administration, account) with
-- revenue this year.
SELECT
    admin_id, account,
    coalesce(sum(revenue) FILTER (WHERE period = month($reference_date)), 0)::DECIMAL(18, 2)
        AS period_revenue,
    sum(revenue)::DECIMAL(18, 2) AS year_to_date
FROM revenue
WHERE fiscal_year = year($reference_date) AND period <= month($reference_date)
GROUP BY ALL
ORDER BY admin_id, account
