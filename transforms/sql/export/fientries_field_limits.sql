-- FiEntries: the values that do not fit Profit's fields (AFASSoftware/OASContent Mutaties.json,
-- FiEntries_POST): one fault per (field, value), with how many lines carry it and the first.
-- AcNr is the debtor on a debtor line (VaAs 2), else the ledger account; BpNr the invoice number,
-- else the entry id; allocation codes go in DiC1..DiC5.
WITH
e AS (SELECT * FROM export_entries($admin, $year, $period)),
fields(field, value, limit_chars, entry_id, line_no) AS (
    SELECT 'JoCo', journal_code, 6, entry_id, line_no FROM e
    UNION ALL
    SELECT 'AcNr', coalesce(debtor_id, account), 16, entry_id, line_no FROM e
    UNION ALL
    SELECT 'InId', invoice_number, 12, entry_id, line_no FROM e
    UNION ALL
    SELECT 'BpNr', coalesce(invoice_number, entry_id::VARCHAR), 32, entry_id, line_no FROM e
    UNION ALL
    SELECT 'Ds', description, 255, entry_id, line_no FROM e
    UNION ALL
    SELECT 'VaId', vat_code, 3, entry_id, line_no FROM e
    UNION ALL
    SELECT 'DiC (allocation code, axis ' || a.axis || ')', a.code, 16, e.entry_id, e.line_no
    FROM e JOIN entry_allocations AS a ON e.entry_id = a.entry_id AND e.line_no = a.line_no
)
SELECT
    'FiEntries field ' || field || ': ' || chr(39) || escaped(value) || chr(39) || ' has '
    || length(value) || ' characters, Profit takes at most ' || any_value(limit_chars) || ' ('
    || count(*) || ' line' || CASE WHEN count(*) > 1 THEN 's' ELSE '' END || ', first: entry '
    || min({ 'e': entry_id, 'l': line_no }).e || ' line ' || min({ 'e': entry_id, 'l': line_no }).l
    || ')' AS fault
FROM fields
WHERE length(value) > limit_chars
GROUP BY field, value
ORDER BY field, value
