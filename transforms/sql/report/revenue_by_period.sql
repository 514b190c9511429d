-- The month-end report: revenue per administration in each of the twelve periods up to the
-- report's (0.00 in a period without revenue), from the books' view revenue. One row per
-- (administration, fiscal year, period).
WITH periods AS (
    SELECT
        year(month_start)::INTEGER AS fiscal_year,
        month(month_start)::INTEGER AS period
    FROM range(
        date_trunc('month', $reference_date) - INTERVAL 11 MONTH,
        date_trunc('month', $reference_date) + INTERVAL 1 MONTH,
        INTERVAL 1 MONTH
    ) AS months (month_start)
),

administrations AS (
    SELECT admin_id FROM invoices
    UNION
    SELECT admin_id FROM journal_entries
)

SELECT
    a.admin_id, p.fiscal_year, p.period,
    coalesce(sum(r.revenue), 0)::DECIMAL(18, 2) AS revenue
FROM administrations AS a
CROSS JOIN periods AS p
LEFT JOIN revenue AS r
    ON a.admin_id = r.admin_id AND p.fiscal_year = r.fiscal_year AND p.period = r.period
GROUP BY ALL
ORDER BY a.admin_id, p.fiscal_year, p.period
