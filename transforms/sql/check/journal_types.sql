-- SPEC §3: each kind of integration type posts to journals of the types it allows; the credit
-- journal defaults to the journal; every referenced journal exists.
WITH
allowed(integration_type, journal_type) AS (
    VALUES ('sales_invoice', 'sales'), ('counter_invoice', 'sales'), ('cash_sale', 'cash'),
           ('cash_sale', 'bank'), ('subscription_invoice', 'sales'), ('project_invoice', 'sales'),
           ('course_invoice', 'sales'), ('collective_invoice', 'sales'),
           ('purchase_invoice', 'purchase'), ('stock', 'memorial'), ('stock', 'memorial_fixed'),
           ('stock_intercompany', 'memorial'), ('stock_intercompany', 'memorial_fixed')
),
refs AS (
    SELECT admin_id, integration_type, 'journal' AS role, journal_code FROM master.integration_types
    UNION ALL
    SELECT admin_id, integration_type, 'credit journal', credit_journal_code
    FROM master.integration_types WHERE credit_journal_code IS NOT NULL
)
SELECT CASE
    WHEN j.journal_code IS NULL
        THEN 'administration ' || r.admin_id || ': integration type ' || r.integration_type
             || ' refers to ' || r.role || ' ' || r.journal_code || ', which does not exist'
    ELSE 'administration ' || r.admin_id || ': integration type ' || r.integration_type
         || ' has ' || r.role || ' ' || r.journal_code || ' of type ' || j.journal_type
         || '; allowed: ' || (SELECT string_agg(a.journal_type, ' or ' ORDER BY a.journal_type)
                              FROM allowed AS a WHERE a.integration_type = r.integration_type)
    END AS message
FROM refs AS r
LEFT JOIN master.journals AS j USING (admin_id, journal_code)
WHERE j.journal_code IS NULL
   OR NOT EXISTS (SELECT 1 FROM allowed AS a
                  WHERE a.integration_type = r.integration_type AND a.journal_type = j.journal_type)
UNION ALL
SELECT 'administration ' || admin_id || ': integration type ' || integration_type
       || ' has a credit journal; stock entries have none'
FROM master.integration_types
WHERE integration_type IN ('stock', 'stock_intercompany') AND credit_journal_code IS NOT NULL
UNION ALL
SELECT 'administration ' || admin_id || ': ' || journal_type || ' journal ' || journal_code
       || ' needs a contra_account'
FROM master.journals
WHERE journal_type IN ('cash', 'bank', 'memorial_fixed') AND contra_account IS NULL
   AND EXISTS (SELECT 1 FROM master.integration_types AS t
               WHERE t.admin_id = journals.admin_id AND t.journal_code = journals.journal_code)
UNION ALL
-- a sales relation profile's journals must be sales journals wherever they exist, and exist somewhere
SELECT 'sales relation profile ' || p.profile_id || ': ' || r.role || ' ' || r.journal_code
       || CASE WHEN count(j.journal_code) = 0 THEN ' does not exist in any administration'
               ELSE ' is not a sales journal (' || string_agg(j.admin_id || ': ' || j.journal_type, ', ') || ')' END
FROM master.sales_relation_profiles AS p
CROSS JOIN LATERAL (VALUES ('invoice journal', p.invoice_journal_code),
                           ('credit journal', p.credit_journal_code)) AS r(role, journal_code)
LEFT JOIN master.journals AS j ON j.journal_code = r.journal_code
WHERE r.journal_code IS NOT NULL
GROUP BY p.profile_id, r.role, r.journal_code
HAVING count(j.journal_code) = 0 OR bool_or(j.journal_type <> 'sales')
