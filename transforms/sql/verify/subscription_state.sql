-- SPEC §7: every billed_through in subscription_state is where an invoiced line of its item on
-- the invoice the row names leaves the item: a line billed through that day (its period_end),
-- or a credit line for the days after it (from the day after, or spanning it).
SELECT 'subscription item ' || s.subscription_id || '/' || s.item_code || ' billed through '
       || coalesce(strftime(s.billed_through, '%Y-%m-%d'), '(none)') || ' by run ' || s.run_id
       || ' on invoice ' || coalesce(s.invoice_number, '(none)')
       || ': no invoiced line of the item on that invoice bills or credits through that day'
       AS finding
FROM subscription_state AS s
WHERE NOT EXISTS (
    SELECT 1 FROM billable_lines AS b
    WHERE b.status = 'invoiced' AND b.source = 'subscription_lines'
      AND b.invoice_number = s.invoice_number
      AND b.subscription_id = s.subscription_id AND b.item_code = s.item_code
      AND CASE WHEN b.is_credit
               THEN s.billed_through BETWEEN b.period_start - 1 AND b.period_end - 1
               ELSE s.billed_through = b.period_end END
)
ORDER BY 1
