-- SPEC §9 deferred revenue: each release the run journalised (journalise/run_releases.sql) with
-- the id of the release entry it went into. Grain: one row per release.
SELECT r.* EXCLUDE (entry_invoice, entry_deferral_account, entry_account), h.entry_id
FROM journalise.run_releases AS r
INNER JOIN journalise.run_entry_heads AS h
    ON
        h.entry_kind = 'release' AND r.admin_id = h.admin_id AND r.release_date = h.release_date
        AND r.entry_invoice IS NOT DISTINCT FROM h.entry_invoice
        AND r.entry_deferral_account IS NOT DISTINCT FROM h.entry_deferral_account
        AND r.entry_account IS NOT DISTINCT FROM h.entry_account
