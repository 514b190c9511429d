-- SPEC §7: how far the run billed each subscription item of the administration it is at, for
-- the next run to go on from (validate/subscription_billing.sql reads the newest row of an
-- item). Written for an item only when the run moved it:
--   * lines of the item (generated, or given in lines/subscription_lines with its subscription
--     and item_code) invoiced by this run bill through the latest period_end among them, when
--     that lies after the billed_through the run started from;
--   * a credit line of the item invoiced by this run for days after its end_date (an item
--     ended before its billed_through) sets it back to end_date: the days after it are credited.
-- invoice_number names the invoice that billed (or credited) through it: the row is sealed in
-- that invoice's administration and journal, as the invoiced lines are.
-- Grain: one row per subscription item the run billed or credited.
WITH
invoiced AS (
    SELECT k.subscription_id, k.item_code, k.is_credit, k.period_start, k.period_end,
           i.invoice_number, k.admin_id, i.journal_code
    FROM "group".keyed_lines AS k
    JOIN number.run_invoices AS i USING (collect_key)
    WHERE k.source = 'subscription_lines' AND k.status = 'to_invoice'
      AND k.earlier_invoice_number IS NULL AND k.period_end IS NOT NULL
),
billed AS (
    SELECT v.subscription_id, v.item_code, max(v.period_end) AS billed_through,
           arg_max(v.invoice_number, v.period_end) AS invoice_number,
           arg_max(v.admin_id, v.period_end) AS admin_id,
           arg_max(v.journal_code, v.period_end) AS journal_code
    FROM invoiced AS v
    WHERE NOT v.is_credit
    GROUP BY v.subscription_id, v.item_code
),
credited AS (
    SELECT v.subscription_id, v.item_code, any_value(b.end_date) AS billed_through,
           arg_max(v.invoice_number, v.period_end) AS invoice_number,
           arg_max(v.admin_id, v.period_end) AS admin_id,
           arg_max(v.journal_code, v.period_end) AS journal_code
    FROM invoiced AS v
    JOIN validate.subscription_billing AS b USING (subscription_id, item_code)
    WHERE v.is_credit AND b.end_date < b.billed_through
      AND v.period_end > b.end_date AND v.period_start <= b.billed_through
    GROUP BY v.subscription_id, v.item_code
),
moved AS (
    SELECT b.subscription_id, b.item_code,
           coalesce(c.billed_through, d.billed_through) AS billed_through,
           coalesce(c.invoice_number, d.invoice_number) AS invoice_number,
           coalesce(c.admin_id, d.admin_id) AS admin_id,
           coalesce(c.journal_code, d.journal_code) AS journal_code
    FROM validate.subscription_billing AS b
    LEFT JOIN billed AS d USING (subscription_id, item_code)
    LEFT JOIN credited AS c USING (subscription_id, item_code)
    WHERE c.subscription_id IS NOT NULL
       OR d.billed_through > coalesce(b.billed_through, DATE '0001-01-01')
)
SELECT subscription_id, item_code, billed_through, invoice_number,
       -- (the administration and journal of the invoice: the chain the row is sealed in)
       admin_id AS seal_admin_id, journal_code AS seal_journal_code
FROM moved
ORDER BY subscription_id, item_code
