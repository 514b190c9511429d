-- Open items (openstaande posten) of the run's invoices; a counter sale paid at once is settled
-- (a run --no-journalize keeps them as drafts for `journalize post`). Grain: one row per invoice.
SELECT
    admin_id, debtor_id, invoice_number, invoice_date, due_date,
    total_incl_vat AS amount,
    CASE WHEN cash_journal_code IS NOT NULL THEN 0 ELSE total_incl_vat END::DECIMAL(18, 2)
        AS amount_open,
    payment_discount_pct, payment_discount_date
FROM number.run_invoices
