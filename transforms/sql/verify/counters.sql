-- The journal counters equal the highest number issued in their journal.
WITH issued AS (
    SELECT admin_id, journal_code, max(sequence_number) AS highest
    FROM invoices WHERE sequence_number IS NOT NULL GROUP BY ALL
)
SELECT coalesce(c.admin_id, i.admin_id) || '/' || coalesce(c.journal_code, i.journal_code)
       || ': counter ' || coalesce(c.last_invoice_number::VARCHAR, '(none)')
       || ' but the highest number issued is ' || coalesce(i.highest::VARCHAR, '(none)') AS finding
FROM journal_counters AS c
FULL JOIN issued AS i USING (admin_id, journal_code)
WHERE c.last_invoice_number IS DISTINCT FROM i.highest
ORDER BY 1
