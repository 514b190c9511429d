-- SPEC §5: allocate invoice numbers, set-based. Invoices of a journal are ranked
-- deterministically (invoice date, debtor, grouping key, first line); the n-th gets the n-th free
-- number above the counter, where numbers already used (issued_invoice_numbers, or any invoice in
-- the database) are not free. With b_1 < b_2 < … the used numbers above the counter L, the n-th
-- free number is L + n + #{j : b_j - L - j < n}.
-- Grain: one row per draft invoice.
WITH
ranks AS (
    -- the rank of each invoice in its journal, sorted on the narrow keys alone
    SELECT collect_key,
           row_number() OVER (
               PARTITION BY admin_id, journal_code
               ORDER BY invoice_date, debtor_id, collect_key, first_line_id
           ) AS n
    FROM "group".draft_invoices
),
drafts AS (
    SELECT
        d.*,
        j.journal_type, j.number_range_end, j.last_number, j.latest_invoice_date,
        j.journal_code IS NOT NULL AS journal_exists,
        replace(replace(coalesce(j.number_prefix, ''), '[JJJJ]', strftime(d.invoice_date, '%Y')),
                '[YYYY]', strftime(d.invoice_date, '%Y')) AS prefix,
        r.n
    FROM "group".draft_invoices AS d
    JOIN ranks AS r USING (collect_key)
    LEFT JOIN number.numbering_journals AS j USING (admin_id, journal_code)
),
series AS (
    SELECT DISTINCT admin_id, journal_code, prefix, last_number FROM drafts WHERE journal_exists
),
used AS (
    SELECT number AS invoice_number FROM master.issued_invoice_numbers
    UNION
    SELECT invoice_number FROM books.invoices
),
blocked AS (
    SELECT s.admin_id, s.journal_code, s.prefix, s.last_number,
           TRY_CAST(substr(u.invoice_number, length(s.prefix) + 1) AS BIGINT) AS number
    FROM series AS s
    JOIN used AS u
      ON starts_with(u.invoice_number, s.prefix)
     AND regexp_full_match(substr(u.invoice_number, length(s.prefix) + 1), '[1-9][0-9]{0,17}')
),
ranked AS (
    SELECT *,
           number - last_number
           - row_number() OVER (PARTITION BY admin_id, journal_code, prefix ORDER BY number)
               AS free_before
    FROM blocked
    WHERE number > last_number
),
numbered AS (
    SELECT d.*,
           d.last_number + d.n + (
               SELECT count(*) FROM ranked AS r
               WHERE r.admin_id = d.admin_id AND r.journal_code = d.journal_code
                 AND r.prefix = d.prefix AND r.free_before < d.n
           ) AS number
    FROM drafts AS d
)
SELECT *, prefix || number AS invoice_number
FROM numbered
