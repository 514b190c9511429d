SELECT * FROM run_invoice_lines
