SELECT * FROM run_journal_entries
