-- FiEntries (AFAS Profit's UpdateConnector, schema FiEntries_POST): one message per journal
-- entry of the selection, or per part of an entry of more than 1,000 lines, as the JSON text of
-- its POST body: FiEntryPar (Year, Peri, UnId, JoCo) with its FiEntries lines (VaAs 1 ledger or
-- 2 debtor, AcNr, EnDa, BpDa, BpNr, InId, Ds, AmDe, AmCr, VaId, DaEx) and each line's allocation
-- codes as FiDimEntries (DiC1..DiC5). Amounts are exact decimals (two places).
-- A large entry with one debtor line goes in parts of at most 999 of its other lines, in line
-- order, each with a debtor line of its own for the part's balance (same debtor, invoice and due
-- date), so every part balances and the parts' debtor lines add up to the entry's. Other large
-- entries are split where their lines balance (temp.export_parts, from
-- fientries_large_entries.sql). Uses temp tables export_units (admin_id → Profit's
-- administration number), export_axes (axis → 1..5) and export_parts. The entries from $first_entry
-- to $last_entry at a time (a bounded working set). Grain: one row per message.
WITH
e AS (
    SELECT * FROM export_entries($admin, $year, $period)
    WHERE entry_id BETWEEN $first_entry AND $last_entry
),
sizes AS (
    SELECT entry_id, count(*) AS lines, count(debtor_id) AS debtor_lines
    FROM e GROUP BY entry_id
),
small AS (
    SELECT e.*, 1 AS part
    FROM e JOIN sizes AS s ON e.entry_id = s.entry_id
    WHERE s.lines <= 1000
),
large_body AS (
    SELECT
        e.*,
        ((row_number() OVER (PARTITION BY e.entry_id ORDER BY e.line_no) - 1) // 999 + 1)::INTEGER
            AS part
    FROM e JOIN sizes AS s ON e.entry_id = s.entry_id
    WHERE s.lines > 1000 AND s.debtor_lines = 1 AND e.debtor_id IS NULL
),
large_debtor AS (
    SELECT
        d.* REPLACE (
            greatest(b.balance, 0)::DECIMAL(18, 2) AS debit,
            greatest(-b.balance, 0)::DECIMAL(18, 2) AS credit
        ),
        b.part
    FROM e AS d
    JOIN (
        SELECT entry_id, part, sum(credit) - sum(debit) AS balance FROM large_body GROUP BY ALL
    ) AS b ON d.entry_id = b.entry_id
    WHERE d.debtor_id IS NOT NULL
),
large_other AS (
    SELECT e.*, p.part
    FROM e JOIN export_parts AS p ON e.entry_id = p.entry_id AND e.line_no = p.line_no
),
parts AS (
    SELECT * FROM small
    UNION ALL BY NAME SELECT * FROM large_body
    UNION ALL BY NAME SELECT * FROM large_debtor
    UNION ALL BY NAME SELECT * FROM large_other
),
dims AS (
    SELECT
        a.entry_id, a.line_no,
        string_agg('"DiC' || x.axis_number || '":' || to_json(a.code), ',' ORDER BY x.axis_number)
            AS codes
    FROM entry_allocations AS a
    JOIN export_axes AS x ON a.axis = x.axis
    WHERE a.code IS NOT NULL AND a.entry_id BETWEEN $first_entry AND $last_entry
    GROUP BY a.entry_id, a.line_no
),
lines AS (
    SELECT
        p.admin_id, p.fiscal_year, p.period, p.journal_code, p.entry_id, p.part, p.line_no,
        '{"Fields":{"EnNo":1,"VaAs":' || CASE WHEN p.debtor_id IS NULL THEN '"1"' ELSE '"2"' END
        || ',"AcNr":' || to_json(coalesce(p.debtor_id, p.account))
        || ',"EnDa":' || to_json(p.entry_date)
        || ',"BpDa":' || to_json(p.entry_date)
        || ',"BpNr":' || to_json(coalesce(p.invoice_number, p.entry_id::VARCHAR))
        || json_member('InId', p.invoice_number)
        || json_member('Ds', p.description)
        || ',"AmDe":' || to_json(p.debit)
        || ',"AmCr":' || to_json(p.credit)
        || json_member('VaId', p.vat_code)
        || json_member('DaEx', p.due_date)
        || '}'
        || coalesce(
            ',"Objects":[{"FiDimEntries":{"Element":[{"Fields":{' || d.codes
            || ',"AmDe":' || to_json(p.debit) || ',"AmCr":' || to_json(p.credit) || '}}]}}]', ''
        )
        || '}' AS line
    FROM parts AS p
    LEFT JOIN dims AS d ON p.entry_id = d.entry_id AND p.line_no = d.line_no
)
SELECT
    l.admin_id, l.fiscal_year, l.period, l.entry_id, l.part, count(*) AS lines,
    '{"FiEntryPar":{"Element":{"Fields":{"Year":' || l.fiscal_year || ',"Peri":' || l.period
    || ',"UnId":' || any_value(u.unit_id) || ',"JoCo":' || to_json(l.journal_code)
    || '},"Objects":[{"FiEntries":{"Element":[' || string_agg(l.line, ',' ORDER BY l.line_no)
    || ']}}]}}}' AS message
FROM lines AS l
JOIN export_units AS u ON l.admin_id = u.admin_id
GROUP BY l.admin_id, l.fiscal_year, l.period, l.journal_code, l.entry_id, l.part
ORDER BY l.admin_id, l.fiscal_year, l.period, l.entry_id, l.part
