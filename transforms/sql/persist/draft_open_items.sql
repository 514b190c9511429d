-- run --no-journalize: the run's open items, kept for `journalize post` (not posted, not sealed).
SELECT * FROM journalise.run_open_items
