-- SPEC §4 journal choice, §6 description and §9 totals per invoice, before numbering.
-- Grain: one row per collect_key.
WITH
heads AS (
    SELECT
        collect_key,
        any_value(admin_id) AS admin_id,
        any_value(debtor_id) AS debtor_id,
        any_value(integration_type) AS integration_type,
        any_value(source_code) AS source_code,
        -- the sources on the invoice, as a set of bits (no DISTINCT aggregate over the lines)
        bit_or(source_bit(source)) AS source_bits,
        bool_or(is_collective) AS is_collective,
        any_value(payment_method) AS payment_method,
        min(line_id) AS first_line_id,
        min(coalesce(delivery_date, line_date)) AS delivery_date,
        -- whether the invoice has one project (phase) to name: 0, 1 or 2 for more than one
        CASE WHEN min(project_id) IS NULL THEN 0 WHEN min(project_id) = max(project_id) THEN 1
             ELSE 2 END AS project_count,
        min(project_id) AS project_id,
        CASE WHEN min(phase_id) IS NULL THEN 0 WHEN min(phase_id) = max(phase_id) THEN 1
             ELSE 2 END AS phase_count,
        min(phase_id) AS phase_id,
        count(*) AS line_count
    FROM "group".grouped_lines
    GROUP BY collect_key
),
totals AS (
    SELECT collect_key,
           -- NULL beyond DECIMAL(18,2) (and when a VAT row was): refused by group
           TRY_CAST(sum(net) + sum(credit_restriction) AS DECIMAL(18, 2)) AS total_excl_vat,
           TRY_CAST(sum(vat) AS DECIMAL(18, 2)) AS vat_amount
    FROM "group".draft_invoice_vat
    GROUP BY collect_key
),
described AS (
    SELECT
        h.*, t.total_excl_vat, t.vat_amount,
        TRY_CAST(t.total_excl_vat + t.vat_amount AS DECIMAL(18, 2)) AS total_incl_vat,
        $invoice_date::DATE AS invoice_date,
        ($invoice_date::DATE + to_days(d.payment_term_days::INTEGER))::DATE AS due_date,
        a.currency,
        a.country,
        a.coda_mask,
        d.free_code,
        coalesce(d.receivables_account, a.receivables_account) AS receivables_account,
        CASE WHEN it.use_payment_discount AND d.payment_discount_pct IS NOT NULL
             THEN d.payment_discount_pct END AS payment_discount_pct,
        CASE WHEN it.use_payment_discount AND d.payment_discount_pct IS NOT NULL
             THEN ($invoice_date::DATE + to_days(it.payment_discount_days::INTEGER))::DATE
        END AS payment_discount_date,
        d.name AS debtor_name,
        it.journal_code AS type_journal_code,
        it.credit_journal_code AS type_credit_journal_code,
        it.financial_description,
        CASE WHEN h.payment_method IN ('cash', 'pin', 'chip') THEN cs.journal_code END
            AS cash_journal_code,
        cs.financial_description AS cash_financial_description,
        pr.invoice_journal_code AS profile_journal_code,
        pr.credit_journal_code AS profile_credit_journal_code,
        pj.description AS project_description,
        ph.description AS phase_description
    FROM heads AS h
    JOIN totals AS t USING (collect_key)
    JOIN master.administrations AS a USING (admin_id)
    JOIN master.debtors AS d USING (debtor_id)
    JOIN master.integration_types AS it USING (admin_id, integration_type)
    LEFT JOIN master.integration_types AS cs
        ON cs.admin_id = h.admin_id AND cs.integration_type = 'cash_sale'
    LEFT JOIN map.debtor_profiles AS pr USING (debtor_id)
    LEFT JOIN master.projects AS pj ON pj.project_id = h.project_id AND h.project_count = 1
    LEFT JOIN master.project_phases AS ph
        ON ph.project_id = h.project_id AND ph.phase_id = h.phase_id AND h.phase_count = 1
)
SELECT
    collect_key, admin_id, debtor_id, integration_type, source_code,
    source_names(source_bits) AS sources, is_collective,
    payment_method, first_line_id, line_count, invoice_date, due_date, currency,
    total_excl_vat, vat_amount, total_incl_vat,
    total_incl_vat < 0 AS is_credit,
    receivables_account, payment_discount_pct, payment_discount_date,
    country, coda_mask, free_code,
    CASE WHEN total_incl_vat < 0
         THEN coalesce(profile_credit_journal_code, type_credit_journal_code, type_journal_code)
         ELSE coalesce(profile_journal_code, type_journal_code) END AS journal_code,
    financial_description(
        financial_description, source_code, debtor_id, debtor_name, delivery_date,
        project_count, project_id, project_description, phase_id, phase_description
    ) AS description,
    -- the settlement entry of a cash/pin/chip counter sale (SPEC §9), in the cash_sale journal
    cash_journal_code,
    financial_description(
        cash_financial_description, source_code, debtor_id, debtor_name, delivery_date,
        project_count, project_id, project_description, phase_id, phase_description
    ) AS cash_description
FROM described
