-- Every invoiced line is on exactly one invoice that exists, and every invoice has its lines:
-- billable_lines holds the invoiced lines (invoice_lines shows them), invoices their count.
SELECT source || ' line ' || line_id || ' is invoiced ' || count(*) || ' times ('
       || string_agg(invoice_number, ', ' ORDER BY invoice_number) || ')' AS finding
FROM billable_lines WHERE status = 'invoiced' GROUP BY source, line_id HAVING count(*) > 1
UNION ALL
SELECT b.source || ' line ' || b.line_id || ' is invoiced on ' || coalesce(b.invoice_number, '(none)')
       || ', which is not in invoices'
FROM billable_lines AS b
WHERE b.status = 'invoiced'
  AND NOT EXISTS (SELECT 1 FROM invoices AS i WHERE i.invoice_number = b.invoice_number)
UNION ALL
SELECT 'invoice ' || i.invoice_number || ' has ' || i.line_count || ' line(s) but '
       || coalesce(l.lines, 0) || ' invoiced line(s) name it'
FROM invoices AS i
LEFT JOIN (SELECT invoice_number, count(*) AS lines FROM billable_lines
           WHERE status = 'invoiced' GROUP BY invoice_number) AS l USING (invoice_number)
WHERE i.line_count IS DISTINCT FROM coalesce(l.lines, 0)
ORDER BY 1
