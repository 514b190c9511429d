-- SPEC §3: every account a setting names exists in that administration's chart of accounts.
WITH
refs(admin_id, place, account) AS (
    SELECT admin_id, 'administration receivables_account', receivables_account FROM master.administrations
    UNION ALL SELECT admin_id, 'VAT code ' || vat_code || ' payable_account', payable_account FROM master.vat_codes
    UNION ALL SELECT admin_id, 'journal ' || journal_code || ' contra_account', contra_account FROM master.journals
    UNION ALL SELECT admin_id, 'integration type ' || integration_type || ' ' || col, account
    FROM master.integration_types
    CROSS JOIN LATERAL (VALUES
        ('invoice_discount_account', invoice_discount_account),
        ('credit_restriction_account', credit_restriction_account),
        ('cost_of_sales_rc_account', cost_of_sales_rc_account),
        ('purchase_rc_account', purchase_rc_account),
        ('stock_transfer_account', stock_transfer_account)) AS c(col, account)
    UNION ALL SELECT admin_id, 'article group ' || article_group || ' ' || col, account
    FROM master.article_groups
    CROSS JOIN LATERAL (VALUES
        ('revenue_account', revenue_account), ('credit_account', credit_account),
        ('deferral_account', deferral_account), ('stock_account', stock_account),
        ('cost_of_sales_account', cost_of_sales_account)) AS c(col, account)
    UNION ALL SELECT admin_id, 'integration group ' || integration_group || ' ' || col, account
    FROM master.integration_groups
    CROSS JOIN LATERAL (VALUES ('revenue_account', revenue_account),
                               ('credit_account', credit_account)) AS c(col, account)
)
SELECT 'administration ' || r.admin_id || ': ' || r.place || ' ' || r.account
       || ' is not in accounts' AS message
FROM refs AS r
WHERE r.account IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM master.accounts AS a WHERE a.admin_id = r.admin_id AND a.account = r.account)
UNION ALL
-- debtors belong to no one administration: their own receivables account must exist in one
SELECT 'debtor ' || d.debtor_id || ': receivables_account ' || d.receivables_account
       || ' is not in the accounts of any administration'
FROM master.debtors AS d
WHERE d.receivables_account IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM master.accounts AS x WHERE x.account = d.receivables_account)
