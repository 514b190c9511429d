SELECT * FROM journalise.run_journal_entries
