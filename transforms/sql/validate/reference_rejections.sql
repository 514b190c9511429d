-- Rules across rows and tables, on the staged lines: unique line ids, known master data
-- (debtors, projects, subscriptions, courses, administrations, article groups, VAT codes,
-- integration groups), quantities whose sign matches is_credit. Appends to the run's quarantine.
-- One pass over the lines (joins to the small master tables) keeps only the lines that break a
-- rule; the messages are made from those few.
-- materialized: append to validate.line_rejections
WITH
files AS (SELECT "table" AS source, display FROM ingest.input_files),
repeated AS (
    -- line ids that occur more than once in their file (few): found by one aggregate
    SELECT source, line_id, count(*) AS copies
    FROM validate.staged_lines WHERE line_id IS NOT NULL
    GROUP BY source, line_id HAVING count(*) > 1
),
checked AS (
    SELECT s.source, s.row_number, s.line_id, s.debtor_id, s.project_id, s.subscription_id,
           s.course_id, s.admin_id, s.article_group, s.vat_code, s.integration_group,
           s.quantity, s.unit_price, s.is_credit,
           coalesce(r.copies, 1) AS copies,
           s.debtor_id IS NOT NULL AND d.debtor_id IS NULL AS unknown_debtor,
           s.source IN ('postcalc_lines', 'installment_lines') AND s.project_id IS NOT NULL
               AND p.project_id IS NULL AS unknown_project,
           s.subscription_id IS NOT NULL AND sb.subscription_id IS NULL AS unknown_subscription,
           s.course_id IS NOT NULL AND c.course_id IS NULL AS unknown_course,
           s.admin_id IS NOT NULL AND a.admin_id IS NULL AS unknown_administration,
           -- article group, VAT code, integration group: checked in a known administration
           s.article_group IS NOT NULL AND a.admin_id IS NOT NULL AND ag.article_group IS NULL
               AS unknown_article_group,
           s.vat_code IS NOT NULL AND a.admin_id IS NOT NULL AND v.vat_code IS NULL
               AS unknown_vat_code,
           s.integration_group IS NOT NULL AND a.admin_id IS NOT NULL
               AND ig.integration_group IS NULL AS unknown_integration_group,
           -- SPEC §2: amounts have two decimals in DECIMAL(18,2); a line's amount must fit
           -- (staged_lines.amount is NULL then: fitting_line_amount)
           s.amount IS NULL AND s.quantity IS NOT NULL AND s.unit_price IS NOT NULL
               AS amount_too_large,
           s.quantity < 0 AND NOT s.is_credit AS wrong_sign
    FROM validate.staged_lines AS s
    LEFT JOIN repeated AS r USING (source, line_id)
    LEFT JOIN master.debtors AS d ON d.debtor_id = s.debtor_id
    LEFT JOIN master.projects AS p ON p.project_id = s.project_id
    LEFT JOIN master.subscriptions AS sb ON sb.subscription_id = s.subscription_id
    LEFT JOIN master.courses AS c ON c.course_id = s.course_id
    LEFT JOIN master.administrations AS a ON a.admin_id = s.admin_id
    LEFT JOIN master.article_groups AS ag ON ag.admin_id = s.admin_id AND ag.article_group = s.article_group
    LEFT JOIN master.vat_codes AS v ON v.admin_id = s.admin_id AND v.vat_code = s.vat_code
    LEFT JOIN master.integration_groups AS ig
        ON ig.admin_id = s.admin_id AND ig.integration_group = s.integration_group
),
lines AS (
    SELECT k.*, coalesce(f.display, 'lines/' || k.source) AS display
    FROM checked AS k LEFT JOIN files AS f USING (source)
    WHERE k.copies > 1 OR k.unknown_debtor OR k.unknown_project OR k.unknown_subscription
       OR k.unknown_course OR k.unknown_administration OR k.unknown_article_group
       OR k.unknown_vat_code OR k.unknown_integration_group OR k.amount_too_large OR k.wrong_sign
),
faults AS (
    SELECT source, row_number, 'line_id' AS "column", 'unique_line_id' AS "check", line_id AS value,
           'line_id ' || escaped(line_id) || ' occurs ' || copies || ' times in the file' AS reason, display
    FROM lines WHERE copies > 1
    UNION ALL
    SELECT source, row_number, 'debtor_id', 'known_debtor', debtor_id,
           'unknown debtor ' || escaped(debtor_id), display
    FROM lines WHERE unknown_debtor
    UNION ALL
    SELECT source, row_number, 'project_id', 'known_project', project_id,
           'unknown project ' || escaped(project_id), display
    FROM lines WHERE unknown_project
    UNION ALL
    SELECT source, row_number, 'subscription_id', 'known_subscription', subscription_id,
           'unknown subscription ' || escaped(subscription_id), display
    FROM lines WHERE unknown_subscription
    UNION ALL
    SELECT source, row_number, 'course_id', 'known_course', course_id,
           'unknown course ' || escaped(course_id), display
    FROM lines WHERE unknown_course
    UNION ALL
    SELECT source, row_number, 'admin_id', 'known_administration', admin_id,
           'unknown administration ' || escaped(admin_id), display
    FROM lines WHERE unknown_administration
    UNION ALL
    SELECT source, row_number, 'article_group', 'known_article_group', article_group,
           'unknown article group ' || escaped(article_group) || ' in administration ' || escaped(admin_id), display
    FROM lines WHERE unknown_article_group
    UNION ALL
    SELECT source, row_number, 'vat_code', 'known_vat_code', vat_code,
           'unknown VAT code ' || escaped(vat_code) || ' in administration ' || escaped(admin_id), display
    FROM lines WHERE unknown_vat_code
    UNION ALL
    SELECT source, row_number, 'integration_group', 'known_integration_group', integration_group,
           'unknown integration group ' || escaped(integration_group) || ' in administration ' || escaped(admin_id),
           display
    FROM lines WHERE unknown_integration_group
    UNION ALL
    SELECT source, row_number, 'unit_price', 'amount_range',
           CAST(quantity AS VARCHAR) || ' x ' || CAST(unit_price AS VARCHAR),
           'the amount quantity x unit_price does not fit DECIMAL(18,2) (at most 16 digits before the decimal point)',
           display
    FROM lines WHERE amount_too_large
    UNION ALL
    SELECT source, row_number, 'quantity', 'credit_sign', CAST(quantity AS VARCHAR),
           'negative quantity on a line that is not marked is_credit', display
    FROM lines WHERE wrong_sign
),
-- past the first $full rows of a (table, check), a rejection keeps no value and a short message
-- (validate.summarise_rejections gives one notice for the rest)
numbered AS (
    SELECT *, row_number() OVER (PARTITION BY source, "check" ORDER BY row_number) AS nth
    FROM faults
)
SELECT source AS "table", row_number, "column", "check", CASE WHEN nth <= $full THEN value END AS value,
       display || ' row ' || row_number || ', column ' || "column"
       || CASE WHEN nth <= $full THEN ': ' || reason || ' [rule ' || "check" || ']'
               ELSE ' [rule ' || "check" || ']' END AS message
FROM numbered
