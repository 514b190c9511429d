-- FiEntries: the selection's entries of more than 1,000 lines (AFAS advises at most 1,000 lines
-- per entry) that have not exactly one debtor line, with their lines' signed amounts (debit
-- positive) in line order: transforms/export.py splits them where their lines balance. (A large
-- entry with one debtor line is split in fientries_messages.sql.) Grain: one row per entry line.
WITH
sizes AS (
    SELECT entry_id, count(*) AS lines, count(debtor_id) AS debtor_lines
    FROM export_entries($admin, $year, $period)
    GROUP BY entry_id
)
SELECT e.entry_id, e.line_no, e.debit - e.credit AS amount
FROM export_entries($admin, $year, $period) AS e
JOIN sizes AS s ON e.entry_id = s.entry_id
WHERE s.lines > 1000 AND s.debtor_lines <> 1
ORDER BY e.entry_id, e.line_no
