-- Rules across rows and tables, on the staged lines: unique line ids, known master data
-- (debtors, projects, subscriptions, courses, administrations, article groups, VAT codes,
-- integration groups), quantities whose sign matches is_credit. Appends to the run's quarantine.
INSERT INTO line_rejections
WITH
files AS (SELECT "table" AS source, display FROM input_files),
repeated AS (
    -- line ids that occur more than once in their file (few): found by one aggregate
    SELECT source, line_id, count(*) AS copies
    FROM staged_lines WHERE line_id IS NOT NULL
    GROUP BY source, line_id HAVING count(*) > 1
),
lines AS (
    SELECT s.source, s.row_number, s.line_id, s.debtor_id, s.project_id, s.subscription_id,
           s.course_id, s.admin_id, s.article_group, s.vat_code, s.integration_group,
           s.quantity, s.unit_price, s.is_credit,
           coalesce(f.display, 'lines/' || s.source) AS display, coalesce(r.copies, 1) AS copies
    FROM staged_lines AS s
    LEFT JOIN files AS f USING (source)
    LEFT JOIN repeated AS r USING (source, line_id)
),
faults AS (
    SELECT source, row_number, 'line_id' AS "column", 'unique_line_id' AS "check", line_id AS value,
           'line_id ' || line_id || ' occurs ' || copies || ' times in the file' AS reason, display
    FROM lines WHERE line_id IS NOT NULL AND copies > 1
    UNION ALL
    SELECT source, row_number, 'debtor_id', 'known_debtor', debtor_id,
           'unknown debtor ' || debtor_id, display
    FROM lines AS l
    WHERE debtor_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM debtors AS d WHERE d.debtor_id = l.debtor_id)
    UNION ALL
    SELECT source, row_number, 'project_id', 'known_project', project_id,
           'unknown project ' || project_id, display
    FROM lines AS l
    WHERE source IN ('postcalc_lines', 'installment_lines') AND project_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM projects AS p WHERE p.project_id = l.project_id)
    UNION ALL
    SELECT source, row_number, 'subscription_id', 'known_subscription', subscription_id,
           'unknown subscription ' || subscription_id, display
    FROM lines AS l
    WHERE subscription_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM subscriptions AS s WHERE s.subscription_id = l.subscription_id)
    UNION ALL
    SELECT source, row_number, 'course_id', 'known_course', course_id,
           'unknown course ' || course_id, display
    FROM lines AS l
    WHERE course_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM courses AS c WHERE c.course_id = l.course_id)
    UNION ALL
    SELECT source, row_number, 'admin_id', 'known_administration', admin_id,
           'unknown administration ' || admin_id, display
    FROM lines AS l
    WHERE admin_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM administrations AS a WHERE a.admin_id = l.admin_id)
    UNION ALL
    SELECT source, row_number, 'article_group', 'known_article_group', article_group,
           'unknown article group ' || article_group || ' in administration ' || admin_id, display
    FROM lines AS l
    WHERE article_group IS NOT NULL AND admin_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM administrations AS a WHERE a.admin_id = l.admin_id)
      AND NOT EXISTS (SELECT 1 FROM article_groups AS g
                      WHERE g.admin_id = l.admin_id AND g.article_group = l.article_group)
    UNION ALL
    SELECT source, row_number, 'vat_code', 'known_vat_code', vat_code,
           'unknown VAT code ' || vat_code || ' in administration ' || admin_id, display
    FROM lines AS l
    WHERE vat_code IS NOT NULL AND admin_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM administrations AS a WHERE a.admin_id = l.admin_id)
      AND NOT EXISTS (SELECT 1 FROM vat_codes AS v
                      WHERE v.admin_id = l.admin_id AND v.vat_code = l.vat_code)
    UNION ALL
    SELECT source, row_number, 'integration_group', 'known_integration_group', integration_group,
           'unknown integration group ' || integration_group || ' in administration ' || admin_id,
           display
    FROM lines AS l
    WHERE integration_group IS NOT NULL AND admin_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM administrations AS a WHERE a.admin_id = l.admin_id)
      AND NOT EXISTS (SELECT 1 FROM integration_groups AS g
                      WHERE g.admin_id = l.admin_id AND g.integration_group = l.integration_group)
    UNION ALL
    -- SPEC §2: amounts have two decimals in DECIMAL(18,2); a line's amount must fit
    SELECT source, row_number, 'unit_price', 'amount_range',
           CAST(quantity AS VARCHAR) || ' x ' || CAST(unit_price AS VARCHAR),
           'the amount quantity x unit_price does not fit DECIMAL(18,2) (at most 16 digits before the decimal point)',
           display
    FROM lines
    WHERE abs(quantity::DECIMAL(38, 4) * unit_price::DECIMAL(38, 4)) >= 9999999999999999.995
    UNION ALL
    SELECT source, row_number, 'quantity', 'credit_sign', CAST(quantity AS VARCHAR),
           'negative quantity on a line that is not marked is_credit', display
    FROM lines WHERE quantity < 0 AND NOT is_credit
)
SELECT source, row_number, "column", "check", value,
       display || ' row ' || row_number || ', column ' || "column" || ': ' || reason
       || ' [rule ' || "check" || ']'
FROM faults
