-- SPEC §9 amounts per invoice and VAT code: gross, invoice discount, VAT (rounded once per invoice
-- and code), credit restriction. Grain: one row per (collect_key, vat_code). An amount beyond
-- DECIMAL(18,2) is NULL here (TRY_CAST): group refuses such an invoice with its own message.
WITH gross AS (
    SELECT collect_key, vat_code, any_value(admin_id) AS admin_id, any_value(debtor_id) AS debtor_id,
           any_value(integration_type) AS integration_type, sum(amount) AS gross
    FROM "group".grouped_lines
    GROUP BY collect_key, vat_code
),
discounted AS (
    SELECT g.*, v.rate AS vat_rate, it.use_credit_restriction, d.credit_restriction_pct,
           CASE WHEN it.use_invoice_discount THEN pct_of(g.gross, d.invoice_discount_pct)
                ELSE 0 END AS invoice_discount
    FROM gross AS g
    JOIN master.vat_codes AS v USING (admin_id, vat_code)
    JOIN master.debtors AS d USING (debtor_id)
    JOIN master.integration_types AS it USING (admin_id, integration_type)
)
SELECT
    collect_key, vat_code, vat_rate, TRY_CAST(gross AS DECIMAL(18, 2)) AS gross,
    TRY_CAST(invoice_discount AS DECIMAL(18, 2)) AS invoice_discount,
    TRY_CAST(gross - invoice_discount AS DECIMAL(18, 2)) AS net,
    TRY_CAST(round((gross - invoice_discount)::DECIMAL(38, 2) * vat_rate::DECIMAL(38, 4), 2)
             AS DECIMAL(18, 2)) AS vat,
    TRY_CAST(CASE WHEN use_credit_restriction
                  THEN pct_of(gross - invoice_discount, credit_restriction_pct)
                  ELSE 0 END AS DECIMAL(18, 2)) AS credit_restriction
FROM discounted
