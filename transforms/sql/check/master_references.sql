-- References between master tables: administrations, default_admin, profiles.
SELECT 'settings: default_admin is missing' AS message
WHERE NOT EXISTS (SELECT 1 FROM master.settings WHERE key = 'default_admin')
UNION ALL
SELECT 'settings: default_admin ' || value || ' is not an administration'
FROM master.settings WHERE key = 'default_admin'
  AND NOT EXISTS (SELECT 1 FROM master.administrations AS a WHERE a.admin_id = settings.value)
UNION ALL
SELECT 'administration ' || admin_id || ' is defined ' || count(*) || ' times'
FROM master.administrations GROUP BY admin_id HAVING count(*) > 1
UNION ALL
SELECT 'administration ' || admin_id || ': journal ' || journal_code || ' is defined '
       || count(*) || ' times'
FROM master.journals GROUP BY admin_id, journal_code HAVING count(*) > 1
UNION ALL
SELECT 'debtor ' || debtor_id || ' is defined ' || count(*) || ' times'
FROM master.debtors GROUP BY debtor_id HAVING count(*) > 1
UNION ALL
SELECT 'administration ' || admin_id || ': VAT code ' || vat_code || ' is defined '
       || count(*) || ' times'
FROM master.vat_codes GROUP BY admin_id, vat_code HAVING count(*) > 1
UNION ALL
SELECT 'administration ' || admin_id || ': article group ' || article_group || ' is defined '
       || count(*) || ' times'
FROM master.article_groups GROUP BY admin_id, article_group HAVING count(*) > 1
UNION ALL
SELECT 'administration ' || admin_id || ': integration group ' || integration_group
       || ' is defined ' || count(*) || ' times'
FROM master.integration_groups GROUP BY admin_id, integration_group HAVING count(*) > 1
UNION ALL
SELECT 'sales relation profile ' || profile_id || ' is defined ' || count(*) || ' times'
FROM master.sales_relation_profiles GROUP BY profile_id HAVING count(*) > 1
UNION ALL
SELECT 'debtor ' || debtor_id || ': sales relation profile ' || profile_id || ' does not exist'
FROM master.debtors AS d
WHERE profile_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM master.sales_relation_profiles AS p WHERE p.profile_id = d.profile_id)
UNION ALL
SELECT table_name || ': administration ' || admin_id || ' does not exist'
FROM (
    SELECT 'journals' AS table_name, admin_id FROM master.journals
    UNION SELECT 'accounts', admin_id FROM master.accounts
    UNION SELECT 'vat_codes', admin_id FROM master.vat_codes
    UNION SELECT 'integration_types', admin_id FROM master.integration_types
    UNION SELECT 'article_groups', admin_id FROM master.article_groups
    UNION SELECT 'integration_groups', admin_id FROM master.integration_groups
) AS t
WHERE NOT EXISTS (SELECT 1 FROM master.administrations AS a WHERE a.admin_id = t.admin_id)
