-- The invoices of the run, numbered (their CODA reference, SPEC §10, is journalise's).
-- Grain: one row per invoice.
SELECT
    admin_id, invoice_number, number AS sequence_number, journal_code, integration_type, debtor_id, invoice_date, due_date,
    is_credit, is_collective, collect_key, sources, currency, payment_method,
    total_excl_vat, vat_amount, total_incl_vat, description,
    $journalize::BOOLEAN AS journalized,
    line_count, source_code, receivables_account, payment_discount_pct, payment_discount_date,
    cash_journal_code, cash_description
FROM number.numbered_invoices
