-- SPEC §9 deferred revenue: the plan of the deferred lines the run invoiced, each release with
-- the entry that released it when it was due up to the reference date (else NULL: a later run
-- releases it, persist/released_deferrals.sql). Sealed in the chain of its invoice.
SELECT
    p.admin_id, p.invoice_number, p.account, p.deferral_account, p.release_date, p.amount,
    r.entry_id, p.allocation,
    p.admin_id AS seal_admin_id, i.journal_code AS seal_journal_code
FROM journalise.run_deferral_plan AS p
INNER JOIN number.run_invoices AS i ON p.invoice_number = i.invoice_number
LEFT JOIN journalise.run_released AS r
    ON
        r.planned_now AND p.invoice_number = r.invoice_number AND p.account = r.account
        AND p.deferral_account = r.deferral_account AND p.release_date = r.release_date
        AND p.allocation IS NOT DISTINCT FROM r.allocation
ORDER BY p.invoice_number, p.account, p.deferral_account, p.allocation NULLS FIRST, p.release_date
