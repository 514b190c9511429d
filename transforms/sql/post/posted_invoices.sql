-- `journalize post` (SPEC §12, Profit's "journaliseren"): the invoices it books, those a run
-- --no-journalize made and no post has booked yet, of the administration, run and invoice
-- numbers asked for (each NULL: all), with the number of draft entry lines each has (an invoice
-- made by a version before post existed has none and cannot be posted).
-- Grain: one row per invoice to post.
SELECT
    i.invoice_number, i.admin_id, i.journal_code, i.run_id,
    (SELECT count(*) FROM books.draft_entries AS d WHERE d.invoice_number = i.invoice_number)
        AS draft_lines
FROM books.invoices AS i
WHERE i.journalized IS NOT true
  AND ($admin IS NULL OR i.admin_id = $admin)
  AND ($run_id IS NULL OR i.run_id = $run_id)
  AND ($invoices IS NULL OR list_contains($invoices, i.invoice_number))
