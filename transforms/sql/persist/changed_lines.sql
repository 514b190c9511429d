SELECT source, line_id, row_number,
       earlier_invoice_number AS invoice_number, changed_since_invoiced AS changed_columns
FROM "group".keyed_lines
WHERE changed_since_invoiced IS NOT NULL
