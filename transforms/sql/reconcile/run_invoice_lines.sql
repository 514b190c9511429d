-- materialized: view
-- The invoiced lines of the run with their invoice number: a view over the mapped lines and the
-- numbered invoices (joined on collect_key), read by the reconciliation, which counts what
-- reached an invoice. (The books show invoiced lines through the view invoice_lines.)
-- Grain: one row per invoiced line.
SELECT n.invoice_number, g.source, g.line_id, g.admin_id, g.amount, g.collect_key
FROM "group".keyed_lines AS g
JOIN number.run_invoices AS n USING (collect_key)
