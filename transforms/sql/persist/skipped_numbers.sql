INSERT INTO skipped_numbers BY NAME SELECT *, $run_id AS run_id FROM run_skipped_numbers
