-- The draft entry lines of the invoices posted, into journal_entries: entry ids numbered on
-- from the books' last, in the order the drafts were numbered (run, then the run's order:
-- administration, journal, invoice, entry kind), so that a run --no-journalize and its post
-- give the ids a plain run would have given.
SELECT
    d.* EXCLUDE (entry_id, run_id, allocation),
    $entry_base::BIGINT + dense_rank() OVER (ORDER BY d.run_id, d.entry_id) AS entry_id
FROM books.draft_entries AS d
JOIN post.posted_invoices AS p USING (invoice_number)
