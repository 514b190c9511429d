-- SPEC §2, §7: the subscription items the run bills from. Each names its row of the file; the
-- administration is the subscription's (its project's, else its own, else default_admin: SPEC §4).
--   * an item is one (subscription_id, item_code): its billing state and line ids are keyed so;
--   * its article group and VAT code exist in that administration;
--   * end_date is not before start_date;
--   * a quantity is not negative (crediting is the run's, from end_date), and quantity ×
--     unit_price fits an amount (DECIMAL(18,2)).
-- (An item of an unknown subscription: billing_sources.sql; of an article group with stock
-- items: subscription_stock_items.sql.)
WITH
default_admin AS (
    SELECT any_value(value) AS admin_id FROM master.settings WHERE key = 'default_admin'
),
items AS (
    SELECT i.*, coalesce(p.admin_id, s.admin_id, d.admin_id) AS admin_id,
           'subscription_items row ' || i.__row || ' (subscription ' || escaped(i.subscription_id)
           || ', item ' || escaped(i.item_code) || ')' AS place
    FROM master.subscription_items AS i
    JOIN master.subscriptions AS s USING (subscription_id)
    LEFT JOIN master.projects AS p ON p.project_id = s.project_id
    CROSS JOIN default_admin AS d
)
SELECT message FROM (
    SELECT min(__row) AS r, 'subscription_items: item ' || escaped(item_code) || ' of subscription '
           || escaped(subscription_id) || ' is defined ' || count(*) || ' times (rows '
           || string_agg(__row::VARCHAR, ', ' ORDER BY __row) || ')' AS message
    FROM master.subscription_items GROUP BY subscription_id, item_code HAVING count(*) > 1
    UNION ALL
    SELECT i.__row, i.place || ', column article_group: article group ' || escaped(i.article_group)
           || ' does not exist in administration ' || escaped(i.admin_id)
    FROM items AS i
    WHERE NOT EXISTS (SELECT 1 FROM master.article_groups AS g
                      WHERE g.admin_id = i.admin_id AND g.article_group = i.article_group)
    UNION ALL
    SELECT i.__row, i.place || ', column vat_code: VAT code ' || escaped(i.vat_code)
           || ' does not exist in administration ' || escaped(i.admin_id)
    FROM items AS i
    WHERE NOT EXISTS (SELECT 1 FROM master.vat_codes AS v
                      WHERE v.admin_id = i.admin_id AND v.vat_code = i.vat_code)
    UNION ALL
    SELECT __row, place || ', column end_date: end_date ' || strftime(end_date, '%Y-%m-%d')
           || ' lies before start_date ' || strftime(start_date, '%Y-%m-%d')
    FROM items WHERE end_date < start_date
    UNION ALL
    SELECT __row, place || ', column quantity: a negative quantity (' || quantity::VARCHAR
           || '); an item is credited by its end_date'
    FROM items WHERE quantity < 0
    UNION ALL
    SELECT __row, place || ', column unit_price: quantity x unit_price ('
           || quantity::VARCHAR || ' x ' || unit_price::VARCHAR || ') does not fit an amount '
           || '(at most 16 digits before the decimal point)'
    FROM items
    WHERE abs(quantity::DECIMAL(38, 4) * unit_price::DECIMAL(38, 4)) >= 9999999999999999.995
)
ORDER BY r, message
