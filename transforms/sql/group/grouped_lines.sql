-- materialized: view
-- The lines to invoice, each with the invoice it goes on (collect_key, SPEC §8). A view: the
-- lines are not copied. Grain: one row per line with status 'to_invoice'.
SELECT * FROM "group".keyed_lines WHERE status = 'to_invoice'
