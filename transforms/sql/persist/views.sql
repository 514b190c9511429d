-- Facturatiecockpit "Alle facturen": every invoice with its sources and whether it is collective.
CREATE OR REPLACE VIEW cockpit_all_invoices AS
SELECT
    i.admin_id, i.invoice_number, i.invoice_date, i.due_date, i.debtor_id, i.journal_code,
    i.integration_type, i.sources, i.is_collective, i.is_credit, i.total_excl_vat, i.vat_amount,
    i.total_incl_vat, i.description, i.coda_reference, i.journalized, i.line_count, i.run_id,
    o.amount_open
FROM invoices AS i
LEFT JOIN open_items AS o USING (admin_id, invoice_number);

-- "Niet verwerkte facturen": invoices not yet journalised.
CREATE OR REPLACE VIEW cockpit_unprocessed_invoices AS
SELECT * FROM cockpit_all_invoices WHERE NOT journalized;

-- One row per invoiced line (factuurregel): the invoiced rows of billable_lines, which keep an
-- invoiced line as it was invoiced, with the account it is booked on. A manual line stays
-- `active` (editable) while its invoice is not journalised, a generated one is `processed`.
CREATE OR REPLACE VIEW invoice_lines AS
SELECT
    b.invoice_number, b.source, b.line_id, b.admin_id, b.debtor_id, b.line_date, b.item_code,
    b.article_group, b.description, b.quantity, b.unit_price, b.revenue_account AS account,
    b.vat_code, b.amount, b.is_credit, b.manual,
    CASE WHEN b.manual AND NOT coalesce(i.journalized, false) THEN 'active' ELSE 'processed' END
        AS line_status,
    b.row_number, b.collect_key, b.run_id
FROM billable_lines AS b
LEFT JOIN invoices AS i USING (invoice_number)
WHERE b.status = 'invoiced';

-- "Alle factuurregels": manual lines stay `active` until journalised, generated ones `processed`.
CREATE OR REPLACE VIEW cockpit_all_invoice_lines AS
SELECT
    l.*, i.invoice_date, i.journal_code, i.integration_type, i.is_collective, i.journalized
FROM invoice_lines AS l
JOIN invoices AS i USING (invoice_number);

-- Trial balance (proefbalans) per administration, account, fiscal year and period.
CREATE OR REPLACE VIEW trial_balance AS
SELECT
    admin_id, account, fiscal_year, period,
    sum(debit) AS debit, sum(credit) AS credit, sum(debit) - sum(credit) AS balance
FROM journal_entries
GROUP BY ALL
ORDER BY admin_id, account, fiscal_year, period;
