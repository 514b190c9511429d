-- SPEC §3: at most one integration type of each kind per administration.
SELECT 'administration ' || admin_id || ': integration type ' || integration_type
       || ' is defined ' || count(*) || ' times (at most once per administration)' AS message
FROM master.integration_types
GROUP BY admin_id, integration_type
HAVING count(*) > 1
