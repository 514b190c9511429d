INSERT INTO run_reconciliation BY NAME
SELECT $run_id AS run_id, * FROM reconciliation
