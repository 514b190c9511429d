SELECT * FROM run_invoice_vat
