-- SPEC §2 lines/stock_mutations, cast and staged on their own (they are no billable line: they
-- never reach staged_lines, billable_lines or an invoice). Each mutation's amounts are computed
-- here, once (SPEC §9: quantity x price rounded half-up to cents; NULL when it does not fit
-- DECIMAL(18,2), a rejection): cost_amount at the cost price, transfer_amount at the transfer
-- price (a transfer without one: the cost price). __suspect marks a row whose text breaks a
-- column check (validate names the fault). Grain: one row per input row (valid or not).
SELECT
    'stock_mutations' AS source, __row AS row_number, * EXCLUDE (__row),
    fitting_line_amount(quantity, cost_price, false) AS cost_amount,
    fitting_line_amount(quantity, coalesce(transfer_price, cost_price), false) AS transfer_amount
FROM validate.typed_stock_mutations
