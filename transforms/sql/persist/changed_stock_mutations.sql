-- Mutations booked earlier that arrived again with other content: reported in changed_lines
-- (source stock_mutations, line_id = mutation_id, no invoice), never booked again.
SELECT source, mutation_id AS line_id, row_number, NULL::VARCHAR AS invoice_number, changed_columns
FROM journalise.run_stock_mutations
WHERE status = 'booked' AND changed_columns IS NOT NULL
