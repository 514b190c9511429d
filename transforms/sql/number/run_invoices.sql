-- The invoices of the run, numbered, with their CODA reference (SPEC §10) for BE administrations.
-- Grain: one row per invoice.
CREATE OR REPLACE TEMP TABLE run_invoices AS
SELECT
    admin_id, invoice_number, number AS sequence_number, journal_code, integration_type, debtor_id, invoice_date, due_date,
    is_credit, is_collective, collect_key, sources, currency, payment_method,
    total_excl_vat, vat_amount, total_incl_vat, description,
    CASE WHEN country = 'BE' AND coda_mask IS NOT NULL
         THEN coda_reference(coda_mask, invoice_date, invoice_number, free_code, debtor_id)
    END AS coda_reference,
    $journalize::BOOLEAN AS journalized,
    line_count, source_code, receivables_account, payment_discount_pct, payment_discount_date,
    cash_journal_code, cash_description
FROM numbered_invoices
