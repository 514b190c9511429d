-- Per journal series (journal and prefix): every number from the first to the last issued is an
-- invoice or a skip recorded with its reason (SPEC §5); anything else is a gap.
WITH
series AS (
    SELECT admin_id, journal_code, sequence_number, invoice_number FROM invoices
    WHERE sequence_number IS NOT NULL
    UNION ALL
    SELECT admin_id, journal_code, sequence_number, invoice_number FROM skipped_numbers
    WHERE sequence_number IS NOT NULL
),
keyed AS (
    -- the series' prefix: the number's text without its sequence digits
    SELECT *, left(invoice_number, length(invoice_number) - length(sequence_number::VARCHAR)) AS prefix
    FROM series
),
following AS (
    SELECT admin_id, journal_code, prefix, sequence_number,
           lead(sequence_number) OVER (PARTITION BY admin_id, journal_code, prefix
                                       ORDER BY sequence_number) AS next_number
    FROM (SELECT DISTINCT admin_id, journal_code, prefix, sequence_number FROM keyed)
)
SELECT admin_id || '/' || journal_code || ': number(s) ' || prefix || (sequence_number + 1)
       || CASE WHEN next_number - sequence_number > 2 THEN ' to ' || prefix || (next_number - 1) ELSE '' END
       || ' missing: no invoice and no recorded skip' AS finding
FROM following
WHERE next_number - sequence_number > 1
ORDER BY 1
