-- SPEC §9 deferred revenue: the releases a run journalises — every release due up to its
-- reference date (dated on or before it) of the administration the run is at: those it planned
-- for its own invoices and those the books planned earlier and no run has released yet. Each goes
-- into the administration's release journal (settings `deferral_journal`, else its one memorial
-- journal; the configuration check makes sure there is one), per invoice or grouped per
-- (release date, deferral account, revenue account) (settings `deferral_releases`, default
-- `grouped`). A run --no-journalize releases nothing (the plan waits for the next run).
-- Grain: one row per release (a row of the plan).
WITH
settings AS (
    SELECT
        any_value(value) FILTER (WHERE key = 'deferral_journal') AS journal_code,
        coalesce(any_value(value) FILTER (WHERE key = 'deferral_releases'), 'grouped')
            AS releases
    FROM master.settings
),

journals AS (
    -- the release journal of each administration
    SELECT j.admin_id, min(j.journal_code) AS journal_code
    FROM master.journals AS j, settings AS s
    WHERE (j.journal_code = s.journal_code)
          OR (s.journal_code IS NULL AND j.journal_type = 'memorial')
    GROUP BY j.admin_id
),

due AS (
    SELECT
        p.admin_id, p.invoice_number, p.account, p.deferral_account, p.allocation,
        p.release_date, p.amount, true AS planned_now
    FROM journalise.run_deferral_plan AS p, map.run_settings AS r
    WHERE p.release_date <= r.reference_date
    UNION ALL
    SELECT
        b.admin_id, b.invoice_number, b.account, b.deferral_account, b.allocation,
        b.release_date, b.amount, false AS planned_now
    FROM books.deferral_schedule AS b, map.run_settings AS r
    WHERE b.entry_id IS NULL AND b.release_date <= r.reference_date
          AND (r.admin IS NULL OR b.admin_id = r.admin)
          AND ($every OR b.admin_id IS NOT DISTINCT FROM $chunk_admin)
)

SELECT
    d.*,
    j.journal_code,
    -- the entry a release goes into, within its administration and release date
    CASE WHEN s.releases = 'per_invoice' THEN d.invoice_number END AS entry_invoice,
    CASE WHEN s.releases = 'grouped' THEN d.deferral_account END AS entry_deferral_account,
    CASE WHEN s.releases = 'grouped' THEN d.account END AS entry_account
FROM due AS d
INNER JOIN journals AS j ON d.admin_id = j.admin_id
CROSS JOIN settings AS s
WHERE $journalize
