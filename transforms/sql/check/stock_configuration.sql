-- SPEC §3, §9 (stock, over the master data alone): in an administration that journalises stock
-- (it has a `stock` integration type), an article group with stock items names the accounts its
-- stock entries are booked on; the setting stock_entries (how stock entries are grouped,
-- docs/stock.md) is one of per_day (the default) and per_mutation.
SELECT 'administration ' || g.admin_id || ': article group ' || g.article_group
       || ' contains stock items but has no ' || c.col AS message
FROM master.article_groups AS g
CROSS JOIN LATERAL (VALUES ('stock_account', g.stock_account),
                           ('cost_of_sales_account', g.cost_of_sales_account)) AS c(col, account)
WHERE g.contains_stock_items AND c.account IS NULL
  AND EXISTS (SELECT 1 FROM master.integration_types AS t
              WHERE t.admin_id = g.admin_id AND t.integration_type = 'stock')
UNION ALL
SELECT 'settings: stock_entries is ' || escaped(value) || '; allowed: per_day or per_mutation'
FROM master.settings
WHERE key = 'stock_entries' AND value NOT IN ('per_day', 'per_mutation')
