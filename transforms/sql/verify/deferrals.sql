-- SPEC §9 deferred revenue: the release plan (deferral_schedule) against the entries. Each
-- invoice defers on a deferral account what its plan releases from it; each release entry (source
-- tra) moves from deferral to revenue account exactly what the plan rows it released say;
-- a plan row is released at most once (one row per key), by a release entry of the books, never
-- into a month before its invoice's.
WITH
released_by_plan AS (
    SELECT entry_id, deferral_account AS account, sum(amount) AS amount
    FROM deferral_schedule WHERE entry_id IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT entry_id, account, -sum(amount) FROM deferral_schedule
    WHERE entry_id IS NOT NULL GROUP BY ALL
),

release_lines AS (
    SELECT entry_id, account, sum(debit - credit) AS amount
    FROM journal_entries WHERE source = 'tra' GROUP BY ALL
),

deferred_by_plan AS (
    -- (of journalised invoices: one awaiting post has its deferral in its drafts)
    SELECT d.invoice_number, d.deferral_account AS account, sum(d.amount) AS amount
    FROM deferral_schedule AS d
    INNER JOIN invoices AS i ON d.invoice_number = i.invoice_number AND i.journalized
    GROUP BY ALL
),

deferred_by_invoices AS (
    SELECT e.invoice_number, e.account, sum(e.credit - e.debit) AS amount
    FROM journal_entries AS e
    WHERE e.invoice_number IS NOT NULL
      AND (e.account, e.invoice_number) IN (SELECT (account, invoice_number) FROM deferred_by_plan)
    GROUP BY ALL
)

SELECT
    'release entry ' || coalesce(p.entry_id, l.entry_id) || ', account '
    || coalesce(p.account, l.account) || ': the entry moves ' || coalesce(l.amount, 0)
    || ', the deferral_schedule rows it released ' || coalesce(p.amount, 0) AS finding
FROM (SELECT entry_id, account, sum(amount) AS amount FROM released_by_plan GROUP BY ALL) AS p
FULL JOIN release_lines AS l ON p.entry_id = l.entry_id AND p.account = l.account
WHERE coalesce(p.amount, 0) <> coalesce(l.amount, 0)
UNION ALL
SELECT
    'invoice ' || p.invoice_number || ' defers ' || coalesce(i.amount, 0) || ' on '
    || p.account || ' but its deferral_schedule plans to release ' || p.amount
FROM deferred_by_plan AS p
LEFT JOIN deferred_by_invoices AS i USING (invoice_number, account)
WHERE coalesce(i.amount, 0) <> p.amount
UNION ALL
SELECT
    'invoice ' || invoice_number || ': the release of ' || account || ' on '
    || strftime(release_date, '%Y-%m-%d') || ' is planned ' || count(*) || ' times'
FROM deferral_schedule
GROUP BY invoice_number, account, deferral_account, allocation, release_date
HAVING count(*) > 1
UNION ALL
SELECT
    'invoice ' || d.invoice_number || ': a release of ' || d.account || ' on '
    || strftime(d.release_date, '%Y-%m-%d') || ' lies before the month of the invoice ('
    || strftime(i.invoice_date, '%Y-%m-%d') || ')'
FROM deferral_schedule AS d
INNER JOIN invoices AS i ON d.invoice_number = i.invoice_number
WHERE d.release_date < date_trunc('month', i.invoice_date)
UNION ALL
SELECT
    'invoice ' || d.invoice_number || ': the release of ' || d.account || ' on '
    || strftime(d.release_date, '%Y-%m-%d') || ' names entry ' || d.entry_id
    || ', which is no release entry of that date'
FROM deferral_schedule AS d
WHERE d.entry_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM journal_entries AS e
    WHERE e.entry_id = d.entry_id AND e.source = 'tra' AND e.entry_date = d.release_date
)
ORDER BY 1
