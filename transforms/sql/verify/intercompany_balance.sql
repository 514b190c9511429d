-- Stock across administrations (docs/stock.md): per pair of administrations and period, the RC
-- balances each books against the other (the view intercompany_balance) are equal and opposite.
SELECT 'intercompany ' || admin_id || '/' || other_admin_id || ' ' || fiscal_year || '-'
       || lpad(period::VARCHAR, 2, '0') || ': RC balance ' || balance || ' in ' || admin_id
       || ' but ' || other_balance || ' in ' || other_admin_id || ' (not equal and opposite)'
       AS finding
FROM intercompany_balance
WHERE NOT balanced
ORDER BY 1
