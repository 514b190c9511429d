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

-- For analysts (docs/analyst-views.md says what each view counts, with an example query).
-- Revenue (omzet) as the books show it: one row per journal entry line on a result account
-- (the account type the run that wrote the line recorded, else the latest recorded one), but
-- the stock entries (source vrd: cost of sales is no revenue). Revenue = credit − debit: revenue
-- lines count positive, credit notes and invoice discounts negative; the credit restriction
-- surcharge counts too; deferred revenue counts in the month a release books it.
CREATE OR REPLACE VIEW revenue_entry_lines AS
WITH run_types AS (
    SELECT run_id, admin_id, account, bool_or(account_type = 'result') AS is_result
    FROM run_accounts
    GROUP BY ALL
),

latest_types AS (
    SELECT admin_id, account, arg_max(account_type = 'result', run_id) AS is_result
    FROM run_accounts
    GROUP BY ALL
)

SELECT
    j.admin_id, j.fiscal_year, j.period, j.account, j.journal_code, j.entry_id, j.line_no,
    j.entry_date, j.invoice_number, j.vat_code, j.source, j.description,
    j.credit - j.debit AS revenue, j.run_id
FROM journal_entries AS j
LEFT JOIN run_types AS r USING (run_id, admin_id, account)
LEFT JOIN latest_types AS l USING (admin_id, account)
WHERE coalesce(r.is_result, l.is_result, false) AND j.source IS DISTINCT FROM 'vrd';

-- Revenue per administration, fiscal year, period and account.
CREATE OR REPLACE VIEW revenue AS
SELECT
    admin_id, fiscal_year, period, account,
    sum(revenue)::DECIMAL(18, 2) AS revenue, count(*) AS entry_lines
FROM revenue_entry_lines
GROUP BY ALL
ORDER BY admin_id, fiscal_year, period, account;

-- Revenue per administration, fiscal year, period, account and allocation code
-- (verbijzondering): for every axis in entry_allocations each revenue line once, under its code
-- on that axis (NULL: the line has none), so the codes of one axis add up to the revenue; with
-- no allocations at all, one row per account with axis and code NULL.
CREATE OR REPLACE VIEW revenue_by_allocation AS
WITH axes AS (
    SELECT DISTINCT axis FROM entry_allocations
    UNION ALL
    SELECT NULL AS axis WHERE NOT EXISTS (SELECT 1 FROM entry_allocations)
)

SELECT
    l.admin_id, l.fiscal_year, l.period, l.account, x.axis, a.code,
    sum(l.revenue)::DECIMAL(18, 2) AS revenue, count(*) AS entry_lines
FROM revenue_entry_lines AS l
CROSS JOIN axes AS x
LEFT JOIN entry_allocations AS a
    ON l.entry_id = a.entry_id AND l.line_no = a.line_no AND x.axis = a.axis
GROUP BY ALL
ORDER BY l.admin_id, l.fiscal_year, l.period, l.account, x.axis NULLS FIRST, a.code NULLS FIRST;

-- The revenue lines to complete (Tryton's "analytic lines to complete"): per entry line and axis
-- its source links an axis to a field that was empty on the line, so it has no code there.
CREATE OR REPLACE VIEW allocation_gaps AS
SELECT
    e.admin_id, e.journal_code, e.entry_id, e.line_no, e.entry_date, e.fiscal_year, e.period,
    e.account, e.invoice_number, e.source, a.axis, e.credit - e.debit AS revenue
FROM entry_allocations AS a
JOIN journal_entries AS e ON e.entry_id = a.entry_id AND e.line_no = a.line_no
WHERE a.code IS NULL
ORDER BY e.admin_id, e.entry_id, e.line_no, a.axis;

-- Invoices per administration, fiscal year and period of the invoice date, source (line table)
-- and journal: an invoice with lines of several sources (a collective invoice) counts once under
-- each, with the amounts of its lines of that source (excl. VAT, before invoice discount).
CREATE OR REPLACE VIEW invoices_by_source AS
-- (per invoice and source first: counting invoices then needs no DISTINCT over the lines,
-- measured 3.3 times faster at 1M lines)
WITH per_invoice AS (
    SELECT invoice_number, source, count(*) AS lines, sum(amount) AS amount
    FROM billable_lines
    WHERE status = 'invoiced'
    GROUP BY ALL
)

SELECT
    i.admin_id, year(i.invoice_date)::INTEGER AS fiscal_year,
    month(i.invoice_date)::INTEGER AS period, p.source, i.journal_code, count(*) AS invoices,
    count(*) FILTER (WHERE i.is_collective) AS collective_invoices,
    count(*) FILTER (WHERE i.is_credit) AS credit_invoices,
    sum(p.lines)::BIGINT AS lines, sum(p.amount)::DECIMAL(18, 2) AS amount
FROM per_invoice AS p
JOIN invoices AS i USING (invoice_number)
GROUP BY ALL
ORDER BY i.admin_id, fiscal_year, period, p.source, i.journal_code;

-- Collective invoices (verzamelfacturen) against separate ones, per administration, fiscal year
-- and period of the invoice date.
CREATE OR REPLACE VIEW collective_vs_separate_invoices AS
SELECT
    admin_id, year(invoice_date)::INTEGER AS fiscal_year,
    month(invoice_date)::INTEGER AS period,
    CASE WHEN is_collective THEN 'collective' ELSE 'separate' END AS invoice_kind,
    count(*) AS invoices, count(*) FILTER (WHERE is_credit) AS credit_invoices,
    count(DISTINCT debtor_id) AS debtors, sum(line_count)::BIGINT AS lines,
    sum(total_excl_vat)::DECIMAL(18, 2) AS total_excl_vat,
    sum(vat_amount)::DECIMAL(18, 2) AS vat_amount,
    sum(total_incl_vat)::DECIMAL(18, 2) AS total_incl_vat
FROM invoices
GROUP BY ALL
ORDER BY admin_id, fiscal_year, period, invoice_kind;

-- Open items ageing (ouderdomsanalyse) as of a date: each open item invoiced on or before it
-- whose amount is still open, with its age in days and its bucket: by the invoice date (the
-- default: 0-30, 31-60, 61-90, >90) or, with basis := 'due_date', by the days past the due date
-- ('not due' before it). Credit invoices count with their negative amount. journalize books no
-- payments: amount_open is what the books hold today. A table macro binds its tables in the
-- database the query runs in: call it with the books as the default database (duckdb
-- books.duckdb, duckdb.connect(path)), not through an ATTACH.
-- (sqlfluff reads a macro's parameters as data types)
CREATE OR REPLACE MACRO open_items_ageing_at(as_of, basis := 'invoice_date') AS TABLE  -- noqa: CP05
WITH items AS (
    SELECT
        o.admin_id, o.debtor_id, o.invoice_number, o.invoice_date, o.due_date, i.currency,
        o.amount, o.amount_open, as_of::DATE AS as_of_date,
        as_of::DATE - o.invoice_date AS days_since_invoice,
        as_of::DATE - o.due_date AS days_overdue,
        CASE basis
            WHEN 'invoice_date' THEN as_of::DATE - o.invoice_date
            WHEN 'due_date' THEN as_of::DATE - o.due_date
            ELSE error('open_items_ageing_at: basis must be ''invoice_date'' or ''due_date'', not '
                || coalesce('''' || basis || '''', 'NULL'))
        END AS age_days
    FROM open_items AS o
    LEFT JOIN invoices AS i USING (admin_id, invoice_number)
    WHERE o.amount_open <> 0 AND o.invoice_date <= as_of::DATE
)

SELECT
    admin_id, debtor_id, invoice_number, invoice_date, due_date, currency, amount, amount_open,
    as_of_date, days_since_invoice, days_overdue,
    CASE
        WHEN age_days < 0 THEN 'not due'
        WHEN age_days <= 30 THEN '0-30'
        WHEN age_days <= 60 THEN '31-60'
        WHEN age_days <= 90 THEN '61-90'
        ELSE '>90'
    END AS bucket
FROM items;

-- The same as of today (current_date), by invoice date.
CREATE OR REPLACE VIEW open_items_ageing AS
SELECT * FROM open_items_ageing_at(current_date);

-- Stock across administrations (docs/stock.md): per pair of administrations (admin_id <
-- other_admin_id) and period, the balance (debit - credit) of the RC lines each books against
-- the other, from each mutation's share (stock_entry_lines): the two must be equal and opposite
-- (`balanced`; journalize verify fails otherwise).
CREATE OR REPLACE VIEW intercompany_balance AS
WITH sides AS (
    SELECT
        admin_id, counter_admin_id, year(entry_date) AS fiscal_year, month(entry_date) AS period,
        sum(debit - credit) AS balance
    FROM stock_entry_lines
    WHERE role = 'rc'
    GROUP BY ALL
),

pairs AS (
    SELECT DISTINCT
        least(admin_id, counter_admin_id) AS admin_id,
        greatest(admin_id, counter_admin_id) AS other_admin_id, fiscal_year, period
    FROM sides
)

SELECT
    p.admin_id, p.other_admin_id, p.fiscal_year, p.period,
    coalesce(a.balance, 0)::DECIMAL(18, 2) AS balance,
    coalesce(b.balance, 0)::DECIMAL(18, 2) AS other_balance,
    coalesce(a.balance, 0) + coalesce(b.balance, 0) = 0 AS balanced
FROM pairs AS p
LEFT JOIN sides AS a
    ON
        a.admin_id = p.admin_id AND a.counter_admin_id = p.other_admin_id
        AND a.fiscal_year = p.fiscal_year AND a.period = p.period
LEFT JOIN sides AS b
    ON
        b.admin_id = p.other_admin_id AND b.counter_admin_id = p.admin_id
        AND b.fiscal_year = p.fiscal_year AND b.period = p.period
ORDER BY p.admin_id, p.other_admin_id, p.fiscal_year, p.period;
