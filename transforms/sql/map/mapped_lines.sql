-- SPEC §4 and §8 line by line: administration, integration type, accounts, amount and the
-- status a line has in this run. Grain: one row per staged line.
CREATE OR REPLACE TEMP TABLE mapped_lines AS
WITH
rejections AS (
    SELECT "table" AS source, row_number,
           string_agg(message, '; ' ORDER BY "column", "check") AS reason
    FROM line_rejections GROUP BY ALL
),
already AS (
    SELECT source, line_id, invoice_number, run_id
    FROM billable_lines WHERE status = 'invoiced'
),
lines AS (
    SELECT
        s.*,
        CASE s.source
            WHEN 'order_lines' THEN 'sales_invoice'
            WHEN 'counter_lines' THEN 'counter_invoice'
        END AS integration_type,
        CASE s.source WHEN 'order_lines' THEN 'vkf' WHEN 'counter_lines' THEN 'bdf' END
            AS source_code,
        line_amount(s.quantity, s.unit_price, s.is_credit) AS amount,
        r.reason AS rejection,
        a.invoice_number AS earlier_invoice_number, a.run_id AS earlier_run_id
    FROM staged_lines AS s
    LEFT JOIN rejections AS r USING (source, row_number)
    LEFT JOIN already AS a ON a.source = s.source AND a.line_id = s.line_id AND r.reason IS NULL
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
    LEFT JOIN article_groups AS ag USING (admin_id, article_group)
    LEFT JOIN integration_groups AS ig USING (admin_id, integration_group)
    LEFT JOIN debtors AS d USING (debtor_id)
    LEFT JOIN integration_types AS it USING (admin_id, integration_type)
    LEFT JOIN integration_types AS cs ON cs.admin_id = l.admin_id AND cs.integration_type = 'cash_sale'
)
SELECT
    * EXCLUDE (debtor_blocked, has_integration_type, has_cash_sale),
    CASE
        WHEN rejection IS NOT NULL THEN 'rejected'
        WHEN earlier_invoice_number IS NOT NULL THEN 'invoiced'
        WHEN $admin IS NOT NULL AND admin_id <> $admin THEN 'excluded'
        WHEN NOT list_contains($sources, source) THEN 'excluded'
        WHEN line_date > $reference_date THEN 'open'
        WHEN debtor_blocked THEN 'open'
        WHEN NOT has_integration_type THEN 'open'
        WHEN payment_method IN ('cash', 'pin', 'chip') AND NOT has_cash_sale THEN 'open'
        ELSE 'to_invoice'
    END AS status,
    CASE
        WHEN rejection IS NOT NULL THEN rejection
        WHEN earlier_invoice_number IS NOT NULL
            THEN 'invoiced earlier on ' || earlier_invoice_number || ' (run ' || earlier_run_id || ')'
        WHEN $admin IS NOT NULL AND admin_id <> $admin
            THEN 'administration ' || admin_id || ' is not in this run (--admin ' || $admin || ')'
        WHEN NOT list_contains($sources, source) THEN 'source ' || source || ' is not in this run'
        WHEN line_date > $reference_date
            THEN 'dated after the reference date ' || strftime($reference_date::DATE, '%Y-%m-%d')
        WHEN debtor_blocked THEN 'debtor ' || debtor_id || ' is blocked'
        WHEN NOT has_integration_type
            THEN 'administration ' || admin_id || ' has no integration type ' || integration_type
        WHEN payment_method IN ('cash', 'pin', 'chip') AND NOT has_cash_sale
            THEN 'paid ' || payment_method || ' but administration ' || admin_id
                 || ' has no integration type cash_sale'
    END AS status_reason
FROM mapped
