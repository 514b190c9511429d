-- SPEC §9 deferred revenue (transitorische boeking): the plan of every deferred line of the run's
-- invoices. A line of an article group with defer_revenue is credited to the group's
-- deferral_account at invoicing (run_journal_entries.sql); its amount is released to its
-- revenue account over the calendar months of its service period:
--   * service period: a line's period_start … period_end (a subscription line's period); a line
--     without one (orders, counter sales, projects, courses, a subscription line without
--     period_end) is served in the month of its period_start, else of its line date;
--   * equal (the default): each month amount / months, rounded half-up; pro_rata: amount × the
--     month's days of the period / the period's days, rounded half-up; the last month takes the
--     rest, so that the releases of a line add up to its amount exactly;
--   * a month before the invoice's month is released in the invoice's month (a release never
--     lands before its invoice).
-- Summed per (invoice, revenue account, deferral account, allocation codes, release date).
-- Grain: one row per release the run planned (amount <> 0).
WITH
deferred AS (
    SELECT
        g.source, g.line_id, i.admin_id, i.invoice_number, i.invoice_date,
        g.revenue_account AS account, g.deferral_account, g.allocation,
        coalesce(a.deferral_method, 'equal') AS deferral_method,
        (g.amount * 100)::BIGINT AS cents,
        coalesce(g.period_start, g.line_date) AS service_start,
        CASE
            WHEN g.period_end >= coalesce(g.period_start, g.line_date) THEN g.period_end
            ELSE last_day(coalesce(g.period_start, g.line_date))
        END AS service_end
    FROM "group".grouped_lines AS g
    INNER JOIN master.article_groups AS a
        ON g.admin_id = a.admin_id AND g.article_group = a.article_group
    INNER JOIN number.run_invoices AS i ON g.collect_key = i.collect_key
    WHERE g.deferral_account IS NOT NULL AND g.amount <> 0
),

spans AS (
    SELECT
        *,
        date_diff('month', date_trunc('month', service_start), date_trunc('month', service_end))
        + 1 AS months,
        date_diff('day', service_start, service_end) + 1 AS days
    FROM deferred
),

monthly AS (
    SELECT
        s.*,
        k.month_index,
        (date_trunc('month', s.service_start) + to_months(k.month_index::INTEGER))::DATE AS month
    FROM spans AS s, unnest(range(s.months)) AS k (month_index)
),

shares AS (
    SELECT
        *,
        CASE
            WHEN month_index = months - 1 THEN NULL
            WHEN deferral_method = 'pro_rata'
                THEN cents_share(
                    cents,
                    date_diff('day', greatest(service_start, month), least(service_end, last_day(month)))
                    + 1,
                    days
                )
            ELSE cents_share(cents, 1, months)
        END AS share
    FROM monthly
),

released AS (
    SELECT
        admin_id, invoice_number, account, deferral_account, allocation,
        greatest(month, date_trunc('month', invoice_date)::DATE) AS release_date,
        coalesce(share, cents - coalesce(sum(share) OVER (PARTITION BY source, line_id), 0))
            AS cents
    FROM shares
)

SELECT
    admin_id, invoice_number, account, deferral_account, allocation, release_date,
    (sum(cents)::DECIMAL(18, 0) * 0.01)::DECIMAL(18, 2) AS amount
FROM released
GROUP BY ALL
HAVING sum(cents) <> 0
