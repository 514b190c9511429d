SELECT * EXCLUDE (allocation) FROM journalise.run_journal_entries
