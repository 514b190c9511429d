-- SPEC §5: the used numbers the counters passed over in this run, with the reason.
-- Grain: one row per skipped number.
WITH
issued AS (
    SELECT admin_id, journal_code, prefix, max(number) AS top, min(last_number) AS last_number
    FROM number.numbered_invoices WHERE journal_exists
    GROUP BY ALL
),
used AS (
    SELECT number AS invoice_number, 'listed in issued_invoice_numbers' AS reason
    FROM master.issued_invoice_numbers
    UNION ALL
    SELECT invoice_number, 'already used by an invoice in the database' FROM books.invoices
)
SELECT i.admin_id, i.journal_code, u.invoice_number,
       TRY_CAST(substr(u.invoice_number, length(i.prefix) + 1) AS BIGINT) AS sequence_number,
       string_agg(DISTINCT u.reason, '; ') AS reason
FROM issued AS i
JOIN used AS u
  ON starts_with(u.invoice_number, i.prefix)
 AND regexp_full_match(substr(u.invoice_number, length(i.prefix) + 1), '[1-9][0-9]{0,17}')
 AND TRY_CAST(substr(u.invoice_number, length(i.prefix) + 1) AS BIGINT) > i.last_number
 AND TRY_CAST(substr(u.invoice_number, length(i.prefix) + 1) AS BIGINT) <= i.top
GROUP BY ALL
