-- Every invoiced line is on exactly one invoice, and billable_lines names that invoice.
SELECT 'lines_once' AS "check",
       source || ' line ' || line_id || ' is on ' || count(*) || ' invoice lines ('
       || string_agg(invoice_number, ', ' ORDER BY invoice_number) || ')' AS finding
FROM invoice_lines GROUP BY source, line_id HAVING count(*) > 1
UNION ALL
SELECT 'lines_once',
       b.source || ' line ' || b.line_id || ' is invoiced on ' || coalesce(b.invoice_number, '(none)')
       || ' but no invoice line shows it'
FROM billable_lines AS b
WHERE b.status = 'invoiced'
  AND NOT EXISTS (SELECT 1 FROM invoice_lines AS l
                  WHERE l.source = b.source AND l.line_id = b.line_id
                    AND l.invoice_number = b.invoice_number)
UNION ALL
SELECT 'lines_once',
       l.source || ' line ' || l.line_id || ' is on invoice ' || l.invoice_number
       || ' but billable_lines does not have it as invoiced there'
FROM invoice_lines AS l
WHERE NOT EXISTS (SELECT 1 FROM billable_lines AS b
                  WHERE b.source = l.source AND b.line_id = l.line_id
                    AND b.status = 'invoiced' AND b.invoice_number = l.invoice_number)
UNION ALL
SELECT 'lines_once',
       'invoice ' || l.invoice_number || ' of invoice_lines does not exist in invoices'
FROM (SELECT DISTINCT invoice_number FROM invoice_lines) AS l
WHERE NOT EXISTS (SELECT 1 FROM invoices AS i WHERE i.invoice_number = l.invoice_number)
ORDER BY 2
