-- XAF: one audit file per administration and fiscal year of the selection, with its company (the
-- master data the latest run recorded; the currency of its invoices for books that recorded none)
-- and the transactions' line count and totals. Grain: one row per (administration, fiscal year).
WITH
e AS (SELECT * FROM export_entries($admin, $year, $period)),
company AS (
    SELECT
        admin_id,
        arg_max(name, run_id) AS name,
        arg_max(country, run_id) AS country,
        arg_max(currency, run_id) AS currency
    FROM run_administrations
    GROUP BY admin_id
),
currencies AS (
    SELECT admin_id, min(currency) AS currency FROM invoices GROUP BY admin_id
)
SELECT
    e.admin_id, e.fiscal_year,
    any_value(c.name) AS company_name,
    any_value(c.country) AS country,
    coalesce(any_value(c.currency), any_value(i.currency)) AS currency,
    count(*) AS lines,
    count(DISTINCT e.entry_id) AS transactions,
    sum(e.debit) AS total_debit,
    sum(e.credit) AS total_credit
FROM e
LEFT JOIN company AS c ON e.admin_id = c.admin_id
LEFT JOIN currencies AS i ON e.admin_id = i.admin_id
GROUP BY e.admin_id, e.fiscal_year
ORDER BY e.admin_id, e.fiscal_year
