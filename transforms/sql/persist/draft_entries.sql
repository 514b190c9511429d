-- run --no-journalize: the run's entry lines, kept for `journalize post` (not posted, not sealed).
SELECT * FROM journalise.run_journal_entries
