-- Grain: one row per invoiced line. Manual lines stay `active` (editable) until journalised.
CREATE OR REPLACE TEMP TABLE run_invoice_lines AS
SELECT
    n.invoice_number, g.source, g.line_id, g.admin_id, g.debtor_id, g.line_date, g.item_code,
    g.article_group, g.description, g.quantity, g.unit_price, g.revenue_account AS account,
    g.vat_code, g.amount, g.is_credit, g.manual, g.row_number, g.collect_key,
    CASE WHEN g.manual AND NOT $journalize::BOOLEAN THEN 'active' ELSE 'processed' END
        AS line_status
FROM grouped_lines AS g
JOIN numbered_invoices AS n USING (collect_key)
