-- materialized: append to group.pro_forma_invoices
-- SPEC §12 --pro-forma: the invoices the run would make, as a user checks them before the real
-- run (Profit's pro forma invoices): not numbered, so each is named by its debtor and its
-- collect key. Appends the draft invoices of the run's current administration to
-- pro_forma_invoices (transforms.pro_forma). Grain: one row per invoice (collect_key).
SELECT
    d.admin_id,
    d.journal_code,
    d.integration_type,
    d.debtor_id,
    m.name AS debtor_name,
    d.invoice_date,
    d.due_date,
    d.is_credit,
    d.is_collective,
    d.sources,
    d.description,
    d.line_count,
    d.currency,
    d.total_excl_vat,
    d.vat_amount,
    d.total_incl_vat,
    d.collect_key,
    d.first_line_id
FROM "group".draft_invoices AS d
INNER JOIN master.debtors AS m ON d.debtor_id = m.debtor_id
