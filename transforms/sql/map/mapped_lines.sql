-- materialized: view
-- SPEC §4 and §8 line by line: integration type (collective or the source's), accounts, amount,
-- whether it is collected (SPEC §8: its debtor's profile collects its source; this decides its
-- integration type) with the profile's method and period, and the status a line has in this
-- run. Which invoice a line goes on (its collect_key) is group's (group/keyed_lines.sql), which
-- makes this view the run's one wide table as it adds the key: the lines are computed once.
-- Grain: one row per staged line of the run's current administration (run_chunk).
WITH
rejections AS (
    SELECT "table" AS source, row_number,
           string_agg(message, '; ' ORDER BY "column", "check") AS reason
    FROM validate.line_rejections GROUP BY ALL
),
already AS (
    SELECT source, line_id, invoice_number, run_id,
           -- the content the line was invoiced with, to report a line changed since (changed_lines)
           line_content(b) AS invoiced_content
    FROM books.billable_lines AS b WHERE status = 'invoiced'
),
collecting AS (
    SELECT
        s.* EXCLUDE (__suspect),
        coalesce(
            p.combines AND NOT s.manual AND NOT s.exclude_from_collective
            AND CASE s.source
                WHEN 'postcalc_lines' THEN p.collect_postcalc
                WHEN 'installment_lines' THEN p.collect_installments
                WHEN 'subscription_lines' THEN p.collect_subscriptions
                WHEN 'course_lines' THEN p.collect_courses
                ELSE false END,
            false) AS is_collective,
        p.collect_method, p.collect_period
    FROM validate.staged_lines AS s
    LEFT JOIN map.debtor_profiles AS p USING (debtor_id)  -- (SPEC §8: the debtor's profile)
    -- (every administration's lines: group keys those of the administration the run is at, a
    -- filter on admin_id that reaches the staged lines' scan)
),
lines AS (
    SELECT
        s.*,
        CASE WHEN s.is_collective THEN 'collective_invoice' ELSE source_integration_type(s.source) END
            AS integration_type,
        CASE WHEN s.is_collective THEN 'vzf' ELSE source_code(s.source) END AS source_code,
        r.reason AS rejection,
        a.invoice_number AS earlier_invoice_number, a.run_id AS earlier_run_id,
        CASE WHEN a.invoice_number IS NOT NULL
             THEN changed_columns(a.invoiced_content, s) END AS changed_since_invoiced
    FROM collecting AS s
    LEFT JOIN rejections AS r USING (source, row_number)
    LEFT JOIN already AS a ON a.source = s.source AND a.line_id = s.line_id
),
mapped AS (
    SELECT
        l.*,
        CASE WHEN l.is_credit THEN coalesce(ig.credit_account, ag.credit_account)
             ELSE coalesce(ig.revenue_account, ag.revenue_account) END AS revenue_account,
        -- (SPEC §9 deferred revenue: the account the invoice credits instead, NULL if none)
        CASE WHEN ag.defer_revenue THEN ag.deferral_account END AS deferral_account,
        d.blocked AS debtor_blocked,
        it.integration_type IS NOT NULL AS has_integration_type,
        cs.integration_type IS NOT NULL AS has_cash_sale
    FROM lines AS l
    LEFT JOIN master.article_groups AS ag USING (admin_id, article_group)
    LEFT JOIN master.integration_groups AS ig USING (admin_id, integration_group)
    LEFT JOIN master.debtors AS d USING (debtor_id)
    LEFT JOIN master.integration_types AS it USING (admin_id, integration_type)
    LEFT JOIN master.integration_types AS cs ON cs.admin_id = l.admin_id AND cs.integration_type = 'cash_sale'
),
statused AS (
SELECT
    m.* EXCLUDE (debtor_blocked, has_cash_sale),
    CASE
        -- a line invoiced earlier stays invoiced (its row is kept), even if it arrives again bad
        WHEN earlier_invoice_number IS NOT NULL THEN 'invoiced'
        WHEN rejection IS NOT NULL THEN 'rejected'
        WHEN r.admin IS NOT NULL AND admin_id <> r.admin THEN 'excluded'
        WHEN NOT list_contains(r.sources, source) THEN 'open'
        WHEN line_date > r.reference_date THEN 'open'
        WHEN is_credit AND list_contains(r.credit_on_request, source) AND NOT r.include_credit_lines
            THEN 'open'
        WHEN debtor_blocked THEN 'open'
        WHEN NOT has_integration_type THEN 'open'
        WHEN payment_method IN ('cash', 'pin', 'chip') AND NOT has_cash_sale THEN 'open'
        ELSE 'to_invoice'
    END AS status,
    CASE
        WHEN earlier_invoice_number IS NOT NULL
            THEN 'invoiced earlier on ' || earlier_invoice_number || ' (run ' || earlier_run_id || ')'
                 || coalesce('; changed since (' || changed_since_invoiced || '): not invoiced again', '')
                 || coalesce('; this time rejected: ' || rejection, '')
        WHEN rejection IS NOT NULL THEN rejection
        WHEN r.admin IS NOT NULL AND admin_id <> r.admin
            THEN 'administration ' || escaped(admin_id) || ' is not in this run (--admin ' || escaped(r.admin) || ')'
        WHEN NOT list_contains(r.sources, source)
            THEN 'source ' || source || ' is not in this run (--sources)'
        WHEN line_date > r.reference_date
            THEN 'dated after the reference date ' || strftime(r.reference_date, '%Y-%m-%d')
        WHEN is_credit AND list_contains(r.credit_on_request, source) AND NOT r.include_credit_lines
            THEN 'credit line of ' || source || ': invoiced only with --include-credit-lines'
        WHEN debtor_blocked THEN 'debtor ' || escaped(debtor_id) || ' is blocked'
        WHEN NOT has_integration_type
            THEN 'administration ' || escaped(admin_id) || ' has no integration type ' || integration_type
        WHEN payment_method IN ('cash', 'pin', 'chip') AND NOT has_cash_sale
            THEN 'paid ' || payment_method || ' but administration ' || escaped(admin_id)
                 || ' has no integration type cash_sale'
    END AS status_reason
FROM mapped AS m, map.run_settings AS r  -- (the run's settings: one row)
)
SELECT
    -- what only decided the status is not kept (the table group makes is the run's widest)
    * EXCLUDE (rejection, earlier_run_id)
FROM statused
