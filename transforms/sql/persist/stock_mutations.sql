-- The mutations this run booked (one row each, never written again: a later run finds it here
-- and books it no more), sealed in the chain of the stock administration's stock journal
-- (admin_id, journal_code).
SELECT
    m.mutation_id, m.row_number, m.kind, m.stock_admin_id, m.invoice_admin_id, m.to_admin_id,
    m.item_code, m.article_group, m.quantity, m.cost_price, m.transfer_price, m.mutation_date,
    m.cost_amount, m.transfer_amount,
    m.stock_admin_id AS admin_id, t.journal_code
FROM journalise.run_stock_mutations AS m
LEFT JOIN master.integration_types AS t
    ON t.admin_id = m.stock_admin_id AND t.integration_type = 'stock'
WHERE m.status = 'to_book'
ORDER BY m.stock_admin_id, m.mutation_date, m.mutation_id
