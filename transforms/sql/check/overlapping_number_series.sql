-- SPEC §5: two numbering journals (sales, purchase; all administrations) with the same prefix
-- whose ranges last_invoice_number+1 … number_range_end (or unbounded) intersect.
WITH series AS (
    -- [JJJJ] and [YYYY] are the same placeholder (the invoice date's year)
    SELECT admin_id, journal_code, replace(coalesce(number_prefix, ''), '[YYYY]', '[JJJJ]') AS prefix,
           last_invoice_number + 1 AS first_number, number_range_end AS last_number
    FROM master.journals
    WHERE journal_type IN ('sales', 'purchase')
)
SELECT 'journals ' || a.admin_id || '/' || a.journal_code || ' and ' || b.admin_id || '/'
       || b.journal_code || ' share prefix ''' || a.prefix || ''' and their number ranges overlap ('
       || a.first_number || '…' || coalesce(CAST(a.last_number AS VARCHAR), '') || ' and '
       || b.first_number || '…' || coalesce(CAST(b.last_number AS VARCHAR), '') || ')' AS message
FROM series AS a
JOIN series AS b
  ON a.prefix = b.prefix
 AND (a.admin_id, a.journal_code) < (b.admin_id, b.journal_code)
 AND a.first_number <= coalesce(b.last_number, 9223372036854775807)
 AND b.first_number <= coalesce(a.last_number, 9223372036854775807)
UNION ALL
SELECT 'administration ' || admin_id || ': journal ' || journal_code
       || ' has number_range_end ' || number_range_end || ' below its last_invoice_number '
       || last_invoice_number
FROM master.journals WHERE number_range_end < last_invoice_number
