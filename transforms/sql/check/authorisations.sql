-- master/authorisations (optional): each row names an administration that exists, or * for
-- every one (the action is checked by the schema: run, post, resume, backfill or export).
SELECT 'authorisations: user ' || "user" || ', action ' || action || ': administration '
       || admin_id || ' does not exist (name one of master/administrations, or * for every one)'
       AS message
FROM master.authorisations AS a
WHERE admin_id <> '*'
  AND NOT EXISTS (SELECT 1 FROM master.administrations AS d WHERE d.admin_id = a.admin_id)
ORDER BY "user", action, admin_id
