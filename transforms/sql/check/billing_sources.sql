-- References of the billing sources' master data (SPEC §2): projects, subscriptions, courses.
SELECT table_name || ': ' || what || ' ' || id || ' is defined ' || n || ' times' AS message
FROM (
    SELECT 'projects' AS table_name, 'project' AS what, project_id AS id, count(*) AS n
    FROM master.projects GROUP BY ALL
    UNION ALL
    SELECT 'subscriptions', 'subscription', subscription_id, count(*) FROM master.subscriptions GROUP BY ALL
    UNION ALL
    SELECT 'courses', 'course', course_id, count(*) FROM master.courses GROUP BY ALL
) AS t
WHERE n > 1
UNION ALL
SELECT table_name || ': ' || what || ' ' || id || ': administration ' || admin_id
       || ' does not exist'
FROM (
    SELECT 'projects' AS table_name, 'project' AS what, project_id AS id, admin_id FROM master.projects
    UNION ALL
    SELECT 'subscriptions', 'subscription', subscription_id, admin_id FROM master.subscriptions
    UNION ALL
    SELECT 'courses', 'course', course_id, admin_id FROM master.courses
) AS t
WHERE admin_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM master.administrations AS a WHERE a.admin_id = t.admin_id)
UNION ALL
SELECT 'subscriptions: subscription ' || subscription_id || ': project ' || project_id
       || ' does not exist'
FROM master.subscriptions AS s
WHERE project_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM master.projects AS p WHERE p.project_id = s.project_id)
UNION ALL
SELECT 'subscriptions: subscription ' || subscription_id || ': debtor ' || debtor_id
       || ' does not exist'
FROM master.subscriptions AS s
WHERE debtor_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM master.debtors AS d WHERE d.debtor_id = s.debtor_id)
UNION ALL
SELECT 'project_phases: project ' || project_id || ' does not exist'
FROM master.project_phases AS f
WHERE NOT EXISTS (SELECT 1 FROM master.projects AS p WHERE p.project_id = f.project_id)
GROUP BY project_id
UNION ALL
SELECT 'subscription_items: subscription ' || subscription_id || ' does not exist'
FROM master.subscription_items AS i
WHERE NOT EXISTS (SELECT 1 FROM master.subscriptions AS s WHERE s.subscription_id = i.subscription_id)
GROUP BY subscription_id
