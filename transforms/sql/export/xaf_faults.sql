-- XAF: what the 3.2 XSD's key/keyref constraints would check, and never do (their selectors lack
-- a namespace prefix), and what XAF's control figures rest on, for one audit file: every account,
-- VAT code and customer a line names is declared (in the master data the books recorded), every
-- transaction's period is one of the fiscal year's twelve and holds its date, transaction numbers
-- are unique (an entry in one journal) and line numbers unique within their transaction, every
-- transaction balances, and identifiers fit the version's fields. The line count and totals are
-- checked against the lines as the file is written (transforms/export.py). One fault per finding.
WITH
e AS (SELECT * FROM export_entries($admin, $year, $period)),
accounts AS (SELECT DISTINCT account FROM run_accounts WHERE admin_id = $admin),
vat_codes AS (SELECT DISTINCT vat_code FROM run_vat_codes WHERE admin_id = $admin),
debtors AS (SELECT DISTINCT debtor_id FROM run_debtors),
codes AS (
    SELECT entry_id, line_no, string_agg(axis || '=' || code, '; ' ORDER BY axis) AS allocation
    FROM entry_allocations
    WHERE code IS NOT NULL
    GROUP BY entry_id, line_no
),
faults(fault) AS (
    SELECT 'account ' || escaped(account) || ' is not declared (not in the accounts the books '
           || 'recorded for ' || escaped($admin) || '): ' || count(*) || ' line(s), first entry '
           || min(entry_id)
    FROM e WHERE account NOT IN (SELECT account FROM accounts) GROUP BY account
    UNION ALL
    SELECT 'VAT code ' || escaped(vat_code) || ' is not declared (not in the VAT codes the books '
           || 'recorded for ' || escaped($admin) || '): ' || count(*) || ' line(s), first entry '
           || min(entry_id)
    FROM e WHERE vat_code IS NOT NULL AND vat_code NOT IN (SELECT vat_code FROM vat_codes)
    GROUP BY vat_code
    UNION ALL
    SELECT 'customer ' || escaped(debtor_id) || ' is not declared (not in the debtors the books '
           || 'recorded): ' || count(*) || ' line(s), first entry ' || min(entry_id)
    -- (a line without a debtor, as a stock entry's, names none: NOT IN of no debtors is true)
    FROM e WHERE debtor_id IS NOT NULL AND debtor_id NOT IN (SELECT debtor_id FROM debtors)
    GROUP BY debtor_id
    UNION ALL
    SELECT 'entry ' || entry_id || ' line ' || line_no || ': period ' || period || ' of '
           || fiscal_year || ' is not the period of its date ' || entry_date
    FROM e
    WHERE period NOT BETWEEN 1 AND 12 OR month(entry_date) <> period
        OR year(entry_date) <> fiscal_year
    UNION ALL
    SELECT 'transaction ' || entry_id || ' is in ' || count(DISTINCT journal_code) || ' journals ('
           || string_agg(DISTINCT journal_code, ', ') || '): its number would not be unique'
    FROM e GROUP BY entry_id HAVING count(DISTINCT journal_code) > 1
    UNION ALL
    SELECT 'transaction ' || entry_id || ' has line number ' || line_no || ' ' || count(*)
           || ' times'
    FROM e GROUP BY entry_id, line_no HAVING count(*) > 1
    UNION ALL
    SELECT 'transaction ' || entry_id || ' does not balance: debit ' || sum(debit) || ', credit '
           || sum(credit)
    FROM e GROUP BY entry_id HAVING sum(debit) <> sum(credit)
    UNION ALL
    SELECT 'identifier ' || escaped(value) || ' (' || what || ') has ' || length(value)
           || ' characters, XAF takes at most 35'
    FROM (
        SELECT DISTINCT 'account' AS what, account AS value FROM e
        UNION SELECT 'journal', journal_code FROM e
        UNION SELECT 'customer', debtor_id FROM e
        UNION SELECT 'VAT code', vat_code FROM e
    )
    WHERE length(value) > 35
    UNION ALL
    SELECT 'entry ' || e.entry_id || ' line ' || e.line_no || ': its allocation codes ('
           || escaped(c.allocation) || ') have ' || length(c.allocation) || ' characters, XAF '
           || CASE WHEN $v32 THEN '3.2 has room for 35 (costID; 4.0 has 999)'
                   ELSE '4.0 has room for 999 (cost)' END
    FROM e JOIN codes AS c ON e.entry_id = c.entry_id AND e.line_no = c.line_no
    WHERE length(c.allocation) > CASE WHEN $v32 THEN 35 ELSE 999 END
)
SELECT fault FROM faults ORDER BY fault
