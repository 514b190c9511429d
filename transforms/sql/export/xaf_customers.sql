-- XAF customersSuppliers: the debtors the file's lines name, with the name the latest run that
-- recorded them had (custSupTp C, a customer). Grain: one row per debtor.
WITH
named AS (
    SELECT DISTINCT debtor_id FROM export_entries($admin, $year, $period)
    WHERE debtor_id IS NOT NULL
)
SELECT n.debtor_id, arg_max(d.name, d.run_id) AS name
FROM named AS n
JOIN run_debtors AS d ON n.debtor_id = d.debtor_id
GROUP BY n.debtor_id
ORDER BY n.debtor_id
