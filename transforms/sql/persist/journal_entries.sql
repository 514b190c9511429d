INSERT INTO journal_entries BY NAME SELECT *, $run_id AS run_id FROM run_journal_entries
