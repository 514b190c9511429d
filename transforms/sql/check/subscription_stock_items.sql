-- SPEC §4: subscription article groups must not contain stock items. Over the subscription
-- items of the master data and the subscription lines of the run.
WITH used AS (
    SELECT coalesce(p.admin_id, s.admin_id, (SELECT any_value(value) FROM master.settings
                                             WHERE key = 'default_admin')) AS admin_id,
           i.article_group, 'subscription item ' || i.subscription_id || '/' || i.item_code AS what
    FROM master.subscription_items AS i
    JOIN master.subscriptions AS s USING (subscription_id)
    LEFT JOIN master.projects AS p ON p.project_id = s.project_id
    WHERE $every OR coalesce(p.admin_id, s.admin_id, (SELECT any_value(value) FROM master.settings
                                                      WHERE key = 'default_admin'))
                    IS NOT DISTINCT FROM $chunk_admin
    UNION ALL
    SELECT admin_id, article_group, 'subscription line ' || line_id
    FROM "group".keyed_lines
    WHERE source = 'subscription_lines' AND status <> 'rejected'
)
SELECT 'administration ' || u.admin_id || ': article group ' || u.article_group
       || ' contains stock items but is used by subscriptions (' || count(DISTINCT u.what)
       || ' use(s), first ' || min(u.what) || ')' AS message
FROM used AS u
JOIN master.article_groups AS g USING (admin_id, article_group)
WHERE g.contains_stock_items
GROUP BY u.admin_id, u.article_group
ORDER BY 1
