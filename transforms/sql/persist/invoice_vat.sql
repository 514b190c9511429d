INSERT INTO invoice_vat BY NAME SELECT *, $run_id AS run_id FROM run_invoice_vat
