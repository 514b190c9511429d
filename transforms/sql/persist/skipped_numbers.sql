SELECT * FROM number.run_skipped_numbers
