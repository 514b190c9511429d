-- SPEC §8: each debtor's sales relation profile: its own, else Profit's default profile `*****`
-- when there is one (a debtor with neither has no row); a profile combines modules when at least
-- two collect flags are set. Read by map (whether a line is collected) and by group (the
-- invoice's journal). Grain: one row per debtor with a profile.
SELECT d.debtor_id, p.*,
       (p.collect_postcalc::INTEGER + p.collect_subscriptions::INTEGER
        + p.collect_installments::INTEGER + p.collect_courses::INTEGER) >= 2 AS combines
FROM master.debtors AS d
JOIN master.sales_relation_profiles AS p ON p.profile_id = coalesce(d.profile_id, '*****')
