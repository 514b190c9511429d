-- The run's stock entry lines, written into journal_entries after every administration's
-- invoice entries (their entry ids go on from the run's last).
SELECT * FROM journalise.run_stock_entries
ORDER BY entry_id, line_no
