-- materialized: view
-- SPEC §9 deferred revenue: each release the run journalised (journalise/run_releases.sql) with
-- the id of the release entry it went into. Grain: one row per release.
-- (the keys compared with coalesce: an equality join, where IS NOT DISTINCT FROM was not)
SELECT r.* EXCLUDE (entry_invoice, entry_deferral_account, entry_account), h.entry_id
FROM journalise.run_releases AS r
INNER JOIN (
    SELECT * FROM journalise.run_entry_heads WHERE entry_kind = 'release'
) AS h
    ON
        r.admin_id = h.admin_id AND r.release_date = h.release_date
        AND coalesce(r.entry_invoice, '') = coalesce(h.entry_invoice, '')
        AND coalesce(r.entry_deferral_account, '') = coalesce(h.entry_deferral_account, '')
        AND coalesce(r.entry_account, '') = coalesce(h.entry_account, '')
