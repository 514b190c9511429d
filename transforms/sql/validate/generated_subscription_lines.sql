-- SPEC §7: the subscription lines the run generates from master/subscription_items, in the
-- shape of lines/subscription_lines (validate/staged_lines.sql stages both as one stream).
-- Grain: one row per (item, billing period due) and per (item, billed period credited).
--
-- Periods lie on the item's own grid: the k-th period starts k × (1, 3, 6 or 12) months after
-- start_date (a start in the middle of a month starts every period on that day; a day the month
-- lacks is its last day) and ends the day before the next one starts. Billing goes on from
-- billed_through + 1 day (validate/subscription_billing.sql: the books' state, else the
-- input's), else from start_date, for every period that starts on or before the reference date
-- and on or before end_date (the item's last day). A period billed in full is one line of
-- quantity × unit_price; a period billed in part (cut short by end_date, or begun by a
-- billed_through in the middle of it) is billed pro rata by days: one line of quantity 1 and
-- unit price quantity × unit_price × days billed / days of the period, rounded half-up to cents
-- once (integer arithmetic, never binary floating point).
-- An item whose end_date lies before its billed_through yields credit lines for the days after
-- end_date up to billed_through, one per billed period they fall in, each pro rata by days as
-- above (a whole period: its quantity × unit_price), dated on end_date.
-- A period a line of lines/subscription_lines bills (same subscription, item and credit flag,
-- periods overlapping), or whose line id a given line has, is that line's: none is generated.
-- Line ids are `subscription|item|period start` (credits: `subscription|item|credit|first
-- day`): the same period always has the same id, so a run repeated generates the same lines,
-- and a line left open is replaced by the next run's. $reference_date NULL (a resume, which
-- invoices the lines earlier runs left open) generates nothing; $at_most bounds the periods
-- per item (`journalize check`: 1), NULL: every period due.
WITH
items AS (
    SELECT
        *,
        greatest(start_date, billed_through + 1) AS billed_from,
        least($reference_date::DATE, end_date) AS last_start
    FROM validate.subscription_billing
),
-- the grid periods that may be due: from the one before billed_from's to the one after the
-- last start's (a few per item, whatever the item's age)
debit_grid AS (
    SELECT
        *,
        unnest(range(greatest(0, date_diff('month', start_date, billed_from) // months - 1),
                     date_diff('month', start_date, last_start) // months + 2)) AS k
    FROM items
    WHERE billed_from <= last_start
),
credit_grid AS (
    SELECT
        *,
        unnest(range(greatest(0, date_diff('month', start_date, end_date + 1) // months - 1),
                     date_diff('month', start_date, billed_through) // months + 2)) AS k
    FROM items
    WHERE end_date < billed_through AND $reference_date::DATE IS NOT NULL
),
grid AS (
    SELECT *, false AS is_credit FROM debit_grid
    UNION ALL
    SELECT *, true AS is_credit FROM credit_grid
),
periods AS (
    SELECT
        *,
        CASE WHEN is_credit THEN greatest(grid_start, end_date + 1)
             ELSE greatest(grid_start, billed_from) END AS period_start,
        CASE WHEN is_credit THEN least(grid_end, billed_through)
             ELSE least(grid_end, end_date) END AS period_end
    FROM (
        SELECT
            *,
            (start_date + to_months(k * months))::DATE AS grid_start,
            (start_date + to_months((k + 1) * months))::DATE - 1 AS grid_end
        FROM grid
    )
),
due AS (
    SELECT
        *,
        period_end - period_start + 1 AS days,
        grid_end - grid_start + 1 AS period_days,
        row_number() OVER (PARTITION BY subscription_id, item_code, is_credit ORDER BY k) AS nth
    FROM periods
    WHERE period_start <= period_end
      AND (is_credit OR period_start <= last_start)
),
priced AS (
    SELECT
        *,
        days = period_days AS whole,
        -- quantity × unit_price in units of 10^-8 (exact), then × days / period days in cents,
        -- rounded half-up (away from zero)
        (quantity::DECIMAL(38, 4) * unit_price::DECIMAL(38, 4) * 100000000)::HUGEINT AS units,
        CASE WHEN is_credit
             THEN subscription_id || '|' || item_code || '|credit|' || strftime(period_start, '%Y-%m-%d')
             ELSE subscription_id || '|' || item_code || '|' || strftime(period_start, '%Y-%m-%d')
        END AS line_id
    FROM due
    WHERE is_credit OR nth <= coalesce($at_most, nth)
),
candidates AS (
    SELECT
        NULL::BIGINT AS __row, false AS __suspect,
        line_id, debtor_id,
        CASE WHEN is_credit THEN end_date ELSE period_start END AS line_date,
        item_code, article_group, NULL::VARCHAR AS integration_group,
        coalesce(description, item_code)
        || CASE WHEN is_credit THEN ' (credit: ' || days || ' of ' || period_days || ' days)'
                WHEN NOT whole THEN ' (' || days || ' of ' || period_days || ' days)'
                ELSE '' END AS description,
        CASE WHEN whole THEN quantity ELSE 1 END::DECIMAL(18, 4) AS quantity,
        CASE WHEN whole THEN unit_price
             ELSE (sign(units) * ((2 * abs(units) * days + period_days * 1000000)
                                  // (2 * period_days * 1000000)))::DECIMAL(38, 2) * 0.01
        END::DECIMAL(18, 4) AS unit_price,
        vat_code, is_credit, false AS manual, subscription_id, period_start, period_end
    FROM priced
)
SELECT c.*
FROM candidates AS c
WHERE NOT EXISTS (SELECT 1 FROM validate.given_subscription_periods AS g WHERE g.line_id = c.line_id)
  AND NOT EXISTS (
      SELECT 1 FROM validate.given_subscription_periods AS g
      WHERE g.subscription_id = c.subscription_id AND g.item_code = c.item_code
        AND g.is_credit = c.is_credit
        AND g.period_start <= c.period_end AND g.period_end >= c.period_start
  )
ORDER BY c.subscription_id, c.item_code, c.is_credit, c.period_start
