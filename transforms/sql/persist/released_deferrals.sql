-- SPEC §9 deferred revenue: the releases the run journalised of plans earlier runs made, as the
-- rows persist/release_deferrals.sql marks released in the books' deferral_schedule.
SELECT
    admin_id, invoice_number, account, deferral_account, allocation, release_date, entry_id
FROM journalise.run_released
WHERE NOT planned_now
