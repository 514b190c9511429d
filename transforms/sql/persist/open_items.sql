INSERT INTO open_items BY NAME SELECT *, $run_id AS run_id FROM run_open_items
