-- The allocation codes of the draft entry lines posted (persist/entry_allocations.sql's rows of
-- a plain run), under the entry ids post/journal_entries.sql gives the drafts.
WITH posted AS (
    SELECT
        d.admin_id, d.journal_code, d.line_no, d.allocation,
        $entry_base::BIGINT + dense_rank() OVER (ORDER BY d.run_id, d.entry_id) AS entry_id
    FROM books.draft_entries AS d
    JOIN post.posted_invoices AS p USING (invoice_number)
)
SELECT
    e.entry_id, e.line_no, a.axis, e.allocation ->> a.axis AS code,
    e.admin_id AS seal_admin_id, e.journal_code AS seal_journal_code
FROM posted AS e, unnest(json_keys(e.allocation)) AS a (axis)
WHERE e.allocation IS NOT NULL
ORDER BY e.entry_id, e.line_no, a.axis
