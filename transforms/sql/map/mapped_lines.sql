-- SPEC §4 and §8 line by line: integration type (collective or the source's), accounts, amount,
-- whether it is collected, the status a line has in this run and, for a line to invoice, the
-- invoice it goes on (its collect_key, SPEC §8). Grain: one row per staged line of the run's
-- current administration (run_chunk).
-- The one wide table of the run: the later stages read it, they do not copy it.
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
    WHERE $every OR s.admin_id IS NOT DISTINCT FROM $chunk_admin  -- the administration the run is at
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
             THEN changed_columns(a.invoiced_content, line_content(s)) END AS changed_since_invoiced
    FROM collecting AS s
    LEFT JOIN rejections AS r USING (source, row_number)
    LEFT JOIN already AS a ON a.source = s.source AND a.line_id = s.line_id
),
mapped AS (
    SELECT
        l.*,
        CASE WHEN l.is_credit THEN coalesce(ig.credit_account, ag.credit_account)
             ELSE coalesce(ig.revenue_account, ag.revenue_account) END AS revenue_account,
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
    * EXCLUDE (debtor_blocked, has_cash_sale),
    CASE
        -- a line invoiced earlier stays invoiced (its row is kept), even if it arrives again bad
        WHEN earlier_invoice_number IS NOT NULL THEN 'invoiced'
        WHEN rejection IS NOT NULL THEN 'rejected'
        WHEN $admin IS NOT NULL AND admin_id <> $admin THEN 'excluded'
        WHEN NOT list_contains($sources, source) THEN 'open'
        WHEN line_date > $reference_date THEN 'open'
        WHEN is_credit AND list_contains($credit_on_request, source) AND NOT $include_credit_lines
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
        WHEN $admin IS NOT NULL AND admin_id <> $admin
            THEN 'administration ' || escaped(admin_id) || ' is not in this run (--admin ' || escaped($admin) || ')'
        WHEN NOT list_contains($sources, source)
            THEN 'source ' || source || ' is not in this run (--sources)'
        WHEN line_date > $reference_date
            THEN 'dated after the reference date ' || strftime($reference_date::DATE, '%Y-%m-%d')
        WHEN is_credit AND list_contains($credit_on_request, source) AND NOT $include_credit_lines
            THEN 'credit line of ' || source || ': invoiced only with --include-credit-lines'
        WHEN debtor_blocked THEN 'debtor ' || escaped(debtor_id) || ' is blocked'
        WHEN NOT has_integration_type
            THEN 'administration ' || escaped(admin_id) || ' has no integration type ' || integration_type
        WHEN payment_method IN ('cash', 'pin', 'chip') AND NOT has_cash_sale
            THEN 'paid ' || payment_method || ' but administration ' || escaped(admin_id)
                 || ' has no integration type cash_sale'
    END AS status_reason
FROM mapped
)
SELECT
    -- what only decided the status and the key is not kept (the table is the run's widest)
    * EXCLUDE (collect_method, collect_period, rejection, earlier_run_id),
    -- SPEC §8, the invoice a line to invoice belongs to.
    -- Without collecting: order lines one invoice per (administration, debtor, order); counter
    -- lines one per receipt (per debtor and payment method, so that one invoice is settled one
    -- way); postcalc one per (debtor, project); installments one per (debtor, project,
    -- installment); subscriptions one per (debtor, subscription); courses one per (debtor, course).
    -- Collected lines (verzamelfactuur): one invoice per administration and debtor, split by the
    -- profile's method (per_sales_relation: a project with invoice_separately apart; per_project:
    -- per project; per_concept_debtor: never split) and period (ISO week, calendar month, 4-week
    -- block of ISO weeks with week 53 in the 13th block, or none). The administration is always
    -- in the key.
    CASE
        WHEN status <> 'to_invoice' THEN NULL
        WHEN is_collective THEN concat_ws('|', 'collective', admin_id, debtor_id,
            CASE
                WHEN collect_method = 'per_project' THEN 'project=' || coalesce(project_id, '')
                WHEN collect_method = 'per_concept_debtor' THEN 'debtor'
                WHEN invoice_separately THEN 'project=' || project_id
                ELSE 'debtor'
            END,
            CASE collect_period
                WHEN 'week' THEN 'week=' || strftime(line_date, '%G-W%V')
                WHEN 'month' THEN 'month=' || strftime(line_date, '%Y-%m')
                WHEN 'four_weeks' THEN 'block=' || isoyear(line_date) || '-'
                    || lpad(least((week(line_date) - 1) // 4 + 1, 13)::VARCHAR, 2, '0')
                ELSE 'all'
            END)
        WHEN source = 'order_lines' THEN concat_ws('|', source, admin_id, debtor_id, order_id)
        WHEN source = 'counter_lines'
            THEN concat_ws('|', source, admin_id, receipt_id, debtor_id, payment_method)
        WHEN source = 'postcalc_lines' THEN concat_ws('|', source, admin_id, debtor_id, project_id)
        WHEN source = 'installment_lines'
            THEN concat_ws('|', source, admin_id, debtor_id, project_id, installment_id)
        WHEN source = 'subscription_lines'
            THEN concat_ws('|', source, admin_id, debtor_id, subscription_id)
        WHEN source = 'course_lines' THEN concat_ws('|', source, admin_id, debtor_id, course_id)
    END AS collect_key
FROM statused
