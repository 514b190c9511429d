-- The invoiced lines of the run with their invoice number. A view over the mapped lines and the
-- numbered invoices (joined on collect_key): its readers (journal, reconciliation, persist) each
-- take what they need instead of a copy of nine columns per line.
-- Grain: one row per invoiced line. Manual lines stay `active` (editable) until journalised.
CREATE OR REPLACE TEMP VIEW run_invoice_lines AS
SELECT
    n.invoice_number, g.source, g.line_id, g.admin_id, g.debtor_id, g.line_date, g.item_code,
    g.article_group, g.description, g.quantity, g.unit_price, g.revenue_account AS account,
    g.vat_code, g.amount, g.is_credit, g.manual, g.row_number, g.collect_key,
    CASE WHEN g.manual AND NOT n.journalized THEN 'active' ELSE 'processed' END AS line_status
FROM mapped_lines AS g
JOIN run_invoices AS n USING (collect_key)
