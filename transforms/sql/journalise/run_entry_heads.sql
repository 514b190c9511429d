-- SPEC §9: one row per journal entry of the run, with its id. From the invoices alone: every
-- journalised invoice has its 'invoice' entry; a counter sale paid at once has its 'settlement'
-- entry unless it is zero; and the releases of deferred revenue their 'release' entries
-- (journalise/run_releases.sql: one per administration, release date and invoice, or per
-- administration, release date, deferral account and revenue account). Ids are numbered on from
-- $entry_base in (administration, journal, invoice, kind, release) order over the entries, not
-- over their lines (a much smaller sort).
-- Grain: one row per entry.
WITH inv AS (SELECT * FROM number.run_invoices)
SELECT
    invoice_number, entry_kind, admin_id, release_date, entry_invoice, entry_deferral_account,
    entry_account,
    $entry_base::BIGINT
        + row_number() OVER (
            ORDER BY admin_id, journal_code, invoice_number NULLS FIRST, entry_kind,
            release_date, entry_invoice, entry_deferral_account, entry_account
        ) AS entry_id
FROM (
    SELECT invoice_number, 'invoice' AS entry_kind, admin_id, journal_code,
           NULL::DATE AS release_date, NULL AS entry_invoice, NULL AS entry_deferral_account,
           NULL AS entry_account
    FROM inv
    UNION ALL
    SELECT invoice_number, 'settlement', admin_id, cash_journal_code, NULL, NULL, NULL, NULL
    FROM inv
    WHERE cash_journal_code IS NOT NULL AND total_incl_vat <> 0
    UNION ALL
    SELECT DISTINCT NULL, 'release', admin_id, journal_code, release_date, entry_invoice,
           entry_deferral_account, entry_account
    FROM journalise.run_releases
)
