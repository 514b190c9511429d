SELECT * FROM number.run_invoice_vat
