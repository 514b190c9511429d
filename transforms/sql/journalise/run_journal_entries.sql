-- SPEC §9: one balanced entry per journalised invoice, dated on the invoice date, plus a
-- settlement entry in the cash_sale journal for counter sales paid cash, pin or chip.
-- Signed amounts (positive = debit) are split so that debit and credit are never negative;
-- lines of zero are left out, except the debtor line that carries the invoice.
-- Grain: one row per entry line.
WITH
inv AS (SELECT * FROM number.run_invoices),  -- (--no-journalize: kept as drafts for post)
lines AS (
    -- debtor (receivable)
    SELECT invoice_number, 'invoice' AS entry_kind, 1 AS kind, receivables_account AS account,
           NULL::VARCHAR AS vat_code, total_incl_vat AS amount, true AS is_debtor_line,
           NULL::VARCHAR AS allocation, NULL::VARCHAR AS released_to
    FROM inv
    UNION ALL
    -- revenue per (account, VAT code, allocation codes): summed per invoice (collect_key)
    -- before the join
    -- (deferred revenue: credited to the article group's deferral account instead, a line per
    -- revenue account it is released to, run_deferral_plan.sql)
    SELECT i.invoice_number, 'invoice', 2, coalesce(r.deferral_account, r.account), r.vat_code,
           -r.amount, false, r.allocation, r.account
    FROM (
        SELECT collect_key, revenue_account AS account, vat_code, allocation, deferral_account,
               sum(amount) AS amount
        FROM "group".grouped_lines
        GROUP BY ALL
    ) AS r
    JOIN inv AS i USING (collect_key)
    UNION ALL
    -- VAT per code on its payable account
    SELECT v.invoice_number, 'invoice', 3, c.payable_account, v.vat_code, -v.vat, false, NULL, NULL
    FROM number.run_invoice_vat AS v
    JOIN inv AS i USING (invoice_number)
    JOIN master.vat_codes AS c ON c.admin_id = i.admin_id AND c.vat_code = v.vat_code
    UNION ALL
    -- invoice discount per VAT code, a debit
    SELECT v.invoice_number, 'invoice', 4, t.invoice_discount_account, v.vat_code,
           v.invoice_discount, false, NULL, NULL
    FROM number.run_invoice_vat AS v
    JOIN inv AS i USING (invoice_number)
    JOIN master.integration_types AS t USING (admin_id, integration_type)
    UNION ALL
    -- credit restriction (kredietbeperking), outside the VAT base
    SELECT v.invoice_number, 'invoice', 5, t.credit_restriction_account, NULL,
           -sum(v.credit_restriction), false, NULL, NULL
    FROM number.run_invoice_vat AS v
    JOIN inv AS i USING (invoice_number)
    JOIN master.integration_types AS t USING (admin_id, integration_type)
    GROUP BY v.invoice_number, t.credit_restriction_account
    UNION ALL
    -- counter sale paid at once: cash/bank debited, receivable settled
    SELECT i.invoice_number, 'settlement', 1, j.contra_account, NULL, i.total_incl_vat, false, NULL, NULL
    FROM inv AS i
    JOIN master.journals AS j ON j.admin_id = i.admin_id AND j.journal_code = i.cash_journal_code
    UNION ALL
    SELECT invoice_number, 'settlement', 2, receivables_account, NULL, -total_incl_vat, true, NULL, NULL
    FROM inv WHERE cash_journal_code IS NOT NULL
),
heads AS (SELECT * FROM journalise.run_entry_heads),
kept AS (
    -- the lines kept, numbered within their entry (an entry = an invoice's 'invoice' or
    -- 'settlement' entry); numbered while the rows are still narrow
    SELECT *,
           row_number() OVER (
               PARTITION BY invoice_number, entry_kind
               ORDER BY kind, account, vat_code NULLS FIRST, released_to NULLS FIRST,
                        allocation NULLS FIRST
           )::INTEGER AS line_no
    FROM lines WHERE amount <> 0 OR (is_debtor_line AND entry_kind = 'invoice')
),
release_lines AS (
    -- a release entry's lines: per (deferral account, revenue account, allocation codes) and
    -- sign, the deferral account debited and the revenue account credited (a negative release,
    -- of a credit line, the other way round), both with the codes of the revenue released
    SELECT
        r.*, h.entry_id,
        row_number() OVER (
            PARTITION BY h.entry_id
            ORDER BY r.deferral_account, r.revenue_account, r.allocation NULLS FIRST,
                     NOT r.positive, r.side
        )::INTEGER AS line_no
    FROM (
        SELECT
            admin_id, journal_code, release_date, entry_invoice, entry_deferral_account,
            entry_account, deferral_account, account AS revenue_account, allocation,
            amount > 0 AS positive, s.side, CASE s.side WHEN 1 THEN deferral_account ELSE account END AS account,
            CASE s.side WHEN 1 THEN sum(amount) ELSE -sum(amount) END AS amount
        FROM journalise.run_releases, (VALUES (1), (2)) AS s (side)
        GROUP BY admin_id, journal_code, release_date, entry_invoice, entry_deferral_account,
                 entry_account, deferral_account, account, allocation, amount > 0, s.side
    ) AS r
    JOIN (SELECT * FROM heads WHERE entry_kind = 'release') AS h
        ON h.admin_id = r.admin_id AND h.release_date = r.release_date
        AND coalesce(h.entry_invoice, '') = coalesce(r.entry_invoice, '')
        AND coalesce(h.entry_deferral_account, '') = coalesce(r.entry_deferral_account, '')
        AND coalesce(h.entry_account, '') = coalesce(r.entry_account, '')
)
SELECT
    i.admin_id,
    CASE k.entry_kind WHEN 'invoice' THEN i.journal_code ELSE i.cash_journal_code END
        AS journal_code,
    e.entry_id,
    k.line_no,
    i.invoice_date AS entry_date,
    year(i.invoice_date)::INTEGER AS fiscal_year,
    month(i.invoice_date)::INTEGER AS period,
    k.account,
    CASE WHEN k.is_debtor_line THEN i.debtor_id END AS debtor_id,
    k.invoice_number,
    CASE k.entry_kind WHEN 'invoice' THEN i.description ELSE i.cash_description END
        AS description,
    greatest(k.amount, 0)::DECIMAL(18, 2) AS debit,
    greatest(-k.amount, 0)::DECIMAL(18, 2) AS credit,
    k.vat_code,
    i.source_code AS source,
    CASE WHEN k.is_debtor_line THEN i.due_date END AS due_date,
    k.allocation  -- (the line's allocation codes, JSON {axis: code}: entry_allocations)
FROM kept AS k
JOIN heads AS e USING (invoice_number, entry_kind)
JOIN inv AS i USING (invoice_number)
UNION ALL
-- the release entries of deferred revenue (source tra, transitorische boeking): a memorial
-- entry dated the first of the month released, without debtor, invoice or VAT code
SELECT
    admin_id, journal_code, entry_id, line_no, release_date AS entry_date,
    year(release_date)::INTEGER AS fiscal_year, month(release_date)::INTEGER AS period, account,
    NULL AS debtor_id, NULL AS invoice_number,
    '[tra] Vrijval opbrengsten ' || strftime(release_date, '%Y-%m')
        || coalesce(' factuur ' || entry_invoice, '') AS description,
    greatest(amount, 0)::DECIMAL(18, 2) AS debit,
    greatest(-amount, 0)::DECIMAL(18, 2) AS credit,
    NULL AS vat_code, 'tra' AS source, NULL::DATE AS due_date, allocation
FROM release_lines
