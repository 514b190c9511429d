-- The month-end report: the period's collective and separate invoices per administration, from
-- the books' view collective_vs_separate_invoices.
SELECT
    admin_id, invoice_kind, invoices, credit_invoices, debtors, lines, total_excl_vat,
    vat_amount, total_incl_vat
FROM collective_vs_separate_invoices
WHERE fiscal_year = year($reference_date) AND period = month($reference_date)
ORDER BY admin_id, invoice_kind
