-- SPEC §9 deferred revenue: an article group with defer_revenue needs its deferral_account (that
-- the account exists: account_references.sql), and its administration a memorial journal for
-- the release entries: the one master/settings `deferral_journal` names (memorial or
-- memorial_fixed), else its one journal of type memorial. `deferral_releases` is `grouped` or
-- `per_invoice`.
WITH
settings AS (
    SELECT
        any_value(value) FILTER (WHERE key = 'deferral_journal') AS journal_code,
        any_value(value) FILTER (WHERE key = 'deferral_releases') AS releases
    FROM master.settings
),

deferring AS (
    SELECT admin_id, string_agg(article_group, ', ' ORDER BY article_group) AS groups
    FROM master.article_groups WHERE defer_revenue
    GROUP BY admin_id
),

journals AS (
    SELECT
        d.admin_id, d.groups, s.journal_code AS named,
        count(j.journal_code) FILTER (WHERE j.journal_type = 'memorial') AS memorials,
        any_value(j.journal_type) FILTER (WHERE j.journal_code = s.journal_code) AS named_type
    FROM deferring AS d
    CROSS JOIN settings AS s
    LEFT JOIN master.journals AS j ON d.admin_id = j.admin_id
    GROUP BY d.admin_id, d.groups, s.journal_code
)

SELECT
    'administration ' || escaped(admin_id) || ': article group ' || escaped(article_group)
    || ' defers its revenue (defer_revenue) but has no deferral_account' AS message
FROM master.article_groups
WHERE defer_revenue AND deferral_account IS NULL
UNION ALL
SELECT
    'administration ' || escaped(admin_id) || ': article group(s) ' || escaped(groups)
    || ' defer revenue, so the release entries need a memorial journal: '
    || CASE
        WHEN named IS NOT NULL AND named_type IS NULL
            THEN 'settings deferral_journal names ' || escaped(named)
                 || ', which is no journal of the administration'
        WHEN named IS NOT NULL
            THEN 'settings deferral_journal names ' || escaped(named) || ', a ' || named_type
                 || ' journal (memorial or memorial_fixed wanted)'
        WHEN memorials = 0 THEN 'the administration has no journal of type memorial'
        ELSE 'the administration has ' || memorials || ' memorial journals; name the one for '
             || 'releases in settings deferral_journal'
    END
FROM journals
WHERE
    (named IS NOT NULL AND coalesce(named_type NOT IN ('memorial', 'memorial_fixed'), true))
    OR (named IS NULL AND memorials <> 1)
UNION ALL
SELECT
    'master/settings: deferral_releases is ' || escaped(releases)
    || '; it is grouped (one release entry per administration, month, deferral account and '
    || 'revenue account: the default) or per_invoice'
FROM settings
WHERE releases IS NOT NULL AND releases NOT IN ('grouped', 'per_invoice')
