INSERT INTO invoice_lines BY NAME SELECT *, $run_id AS run_id FROM run_invoice_lines
