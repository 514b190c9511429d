-- The books' plan rows the run released (rows: persist/released_deferrals.sql) get the id of
-- their release entry; a row released already is never released again.
UPDATE deferral_schedule AS d
SET entry_id = r.entry_id
FROM rows AS r
WHERE
    d.entry_id IS NULL AND d.admin_id = r.admin_id AND d.invoice_number = r.invoice_number
    AND d.account = r.account AND d.deferral_account = r.deferral_account
    AND d.release_date = r.release_date AND d.allocation IS NOT DISTINCT FROM r.allocation
