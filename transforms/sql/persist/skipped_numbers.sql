SELECT * FROM run_skipped_numbers
