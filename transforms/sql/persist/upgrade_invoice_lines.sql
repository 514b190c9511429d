-- A database written before invoice_lines became a view over billable_lines: its invoiced lines
-- take the account they were booked on from the old table, which then gives way to the view.
UPDATE billable_lines AS b
SET revenue_account = l.account
FROM invoice_lines AS l
WHERE b.status = 'invoiced' AND b.revenue_account IS NULL
  AND l.source = b.source AND l.line_id IS NOT DISTINCT FROM b.line_id
  AND l.invoice_number = b.invoice_number;
DROP TABLE invoice_lines;
