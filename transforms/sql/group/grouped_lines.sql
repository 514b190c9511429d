-- SPEC §8 without collecting: the invoice each line to invoice belongs to, named by its
-- collect_key. Order lines: one invoice per (administration, debtor, order); counter lines one per
-- receipt (per debtor and payment method, so that one invoice is settled one way).
-- Grain: one row per line with status 'to_invoice'.
CREATE OR REPLACE TEMP TABLE grouped_lines AS
SELECT
    *,
    CASE source
        WHEN 'order_lines' THEN concat_ws('|', source, admin_id, debtor_id, order_id)
        WHEN 'counter_lines' THEN concat_ws('|', source, admin_id, receipt_id, debtor_id, payment_method)
    END AS collect_key,
    false AS is_collective
FROM mapped_lines
WHERE status = 'to_invoice'
