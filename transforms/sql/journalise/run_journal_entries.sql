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
           NULL::VARCHAR AS vat_code, total_incl_vat AS amount, true AS is_debtor_line
    FROM inv
    UNION ALL
    -- revenue per (account, VAT code): summed per invoice (collect_key) before the join
    SELECT i.invoice_number, 'invoice', 2, r.account, r.vat_code, -r.amount, false
    FROM (
        SELECT collect_key, revenue_account AS account, vat_code, sum(amount) AS amount
        FROM "group".grouped_lines GROUP BY ALL
    ) AS r
    JOIN inv AS i USING (collect_key)
    UNION ALL
    -- VAT per code on its payable account
    SELECT v.invoice_number, 'invoice', 3, c.payable_account, v.vat_code, -v.vat, false
    FROM number.run_invoice_vat AS v
    JOIN inv AS i USING (invoice_number)
    JOIN master.vat_codes AS c ON c.admin_id = i.admin_id AND c.vat_code = v.vat_code
    UNION ALL
    -- invoice discount per VAT code, a debit
    SELECT v.invoice_number, 'invoice', 4, t.invoice_discount_account, v.vat_code,
           v.invoice_discount, false
    FROM number.run_invoice_vat AS v
    JOIN inv AS i USING (invoice_number)
    JOIN master.integration_types AS t USING (admin_id, integration_type)
    UNION ALL
    -- credit restriction (kredietbeperking), outside the VAT base
    SELECT v.invoice_number, 'invoice', 5, t.credit_restriction_account, NULL,
           -sum(v.credit_restriction), false
    FROM number.run_invoice_vat AS v
    JOIN inv AS i USING (invoice_number)
    JOIN master.integration_types AS t USING (admin_id, integration_type)
    GROUP BY v.invoice_number, t.credit_restriction_account
    UNION ALL
    -- counter sale paid at once: cash/bank debited, receivable settled
    SELECT i.invoice_number, 'settlement', 1, j.contra_account, NULL, i.total_incl_vat, false
    FROM inv AS i
    JOIN master.journals AS j ON j.admin_id = i.admin_id AND j.journal_code = i.cash_journal_code
    UNION ALL
    SELECT invoice_number, 'settlement', 2, receivables_account, NULL, -total_incl_vat, true
    FROM inv WHERE cash_journal_code IS NOT NULL
),
heads AS (
    -- one row per entry, from the invoices alone: every journalised invoice has its 'invoice'
    -- entry (the debtor line is always kept); a counter sale paid at once has its 'settlement'
    -- entry unless it is zero. Ids are numbered in (administration, journal, invoice, kind)
    -- order over the entries, not over their lines (a much smaller sort).
    SELECT
        invoice_number, entry_kind,
        $entry_base::BIGINT
            + row_number() OVER (ORDER BY admin_id, journal_code, invoice_number, entry_kind)
            AS entry_id
    FROM (
        SELECT invoice_number, 'invoice' AS entry_kind, admin_id, journal_code FROM inv
        UNION ALL
        SELECT invoice_number, 'settlement', admin_id, cash_journal_code FROM inv
        WHERE cash_journal_code IS NOT NULL AND total_incl_vat <> 0
    )
),
kept AS (
    -- the lines kept, numbered within their entry (an entry = an invoice's 'invoice' or
    -- 'settlement' entry); numbered while the rows are still narrow
    SELECT *,
           row_number() OVER (
               PARTITION BY invoice_number, entry_kind ORDER BY kind, account, vat_code NULLS FIRST
           )::INTEGER AS line_no
    FROM lines WHERE amount <> 0 OR (is_debtor_line AND entry_kind = 'invoice')
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
    CASE WHEN k.is_debtor_line THEN i.due_date END AS due_date
FROM kept AS k
JOIN heads AS e USING (invoice_number, entry_kind)
JOIN inv AS i USING (invoice_number)
