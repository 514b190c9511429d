-- XAF journals: the journals the file's entries are in, with the description and type the latest
-- run that recorded them had (jrnTp S sales, P purchase, M memorial, C cash, B bank).
-- Grain: one row per journal.
WITH
used AS (SELECT DISTINCT journal_code FROM export_entries($admin, $year, $period))
SELECT
    u.journal_code,
    coalesce(arg_max(j.description, j.run_id), u.journal_code) AS description,
    CASE arg_max(j.journal_type, j.run_id)
        WHEN 'sales' THEN 'S' WHEN 'purchase' THEN 'P' WHEN 'memorial' THEN 'M'
        WHEN 'memorial_fixed' THEN 'M' WHEN 'cash' THEN 'C' WHEN 'bank' THEN 'B'
    END AS jrn_tp
FROM used AS u
LEFT JOIN run_journals AS j ON j.admin_id = $admin AND u.journal_code = j.journal_code
GROUP BY u.journal_code
ORDER BY u.journal_code
