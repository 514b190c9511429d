-- Money helpers used by every stage: exact decimals, rounded half-up (away from zero) to cents.
CREATE OR REPLACE TEMP MACRO money(x) AS round(x, 2)::DECIMAL(18, 2);
-- x% of an amount (percent numbers, 2.5 = 2.5 %), never through binary floating point.
CREATE OR REPLACE TEMP MACRO pct_of(amount, pct) AS
    -- (wide: an invoice's amounts are checked to fit DECIMAL(18,2) once, by group)
    round(amount::DECIMAL(38, 2) * coalesce(pct, 0)::DECIMAL(38, 4) * 0.01::DECIMAL(38, 2), 2);
CREATE OR REPLACE TEMP MACRO line_amount(quantity, unit_price, is_credit) AS
    CASE WHEN is_credit
         THEN -abs(money(quantity::DECIMAL(38, 4) * unit_price::DECIMAL(38, 4)))
         ELSE money(quantity::DECIMAL(38, 4) * unit_price::DECIMAL(38, 4)) END;
-- NULL when the amount does not fit DECIMAL(18,2) (such a line is rejected: rule amount_range)
CREATE OR REPLACE TEMP MACRO fitting_line_amount(quantity, unit_price, is_credit) AS
    CASE WHEN abs(quantity::DECIMAL(38, 4) * unit_price::DECIMAL(38, 4)) < 9999999999999999.995
         THEN line_amount(quantity, unit_price, is_credit) END;
-- part/whole of an amount in cents, rounded half-up (away from zero) to a cent: exact integer
-- arithmetic (a DECIMAL division would go through binary floating point)
CREATE OR REPLACE TEMP MACRO cents_share(cents, part, whole) AS
    sign(cents) * ((abs(cents)::HUGEINT * part * 2 + whole) // (2 * whole));
CREATE OR REPLACE TEMP MACRO to_bool(x) AS
    coalesce(lower(x) IN ('true', '1', 'yes', 'y', 't', 'ja', 'j'), false);
-- SPEC §4: the integration type and §6 the source code of a source's own (not collected) invoices.
CREATE OR REPLACE TEMP MACRO source_integration_type(source) AS CASE source
    WHEN 'order_lines' THEN 'sales_invoice'
    WHEN 'counter_lines' THEN 'counter_invoice'
    WHEN 'postcalc_lines' THEN 'project_invoice'
    WHEN 'installment_lines' THEN 'project_invoice'
    WHEN 'subscription_lines' THEN 'subscription_invoice'
    WHEN 'course_lines' THEN 'course_invoice'
END;
CREATE OR REPLACE TEMP MACRO source_code(source) AS CASE source
    WHEN 'order_lines' THEN 'vkf'
    WHEN 'counter_lines' THEN 'bdf'
    WHEN 'postcalc_lines' THEN 'pro'
    WHEN 'installment_lines' THEN 'pro'
    WHEN 'subscription_lines' THEN 'abo'
    WHEN 'course_lines' THEN 'crm'
END;
-- A set of line tables as bits, and back as their names in alphabetical order, comma-separated.
CREATE OR REPLACE TEMP MACRO source_bit(source) AS CASE source
    WHEN 'counter_lines' THEN 1
    WHEN 'course_lines' THEN 2
    WHEN 'installment_lines' THEN 4
    WHEN 'order_lines' THEN 8
    WHEN 'postcalc_lines' THEN 16
    WHEN 'subscription_lines' THEN 32
END;
CREATE OR REPLACE TEMP MACRO source_names(bits) AS concat_ws(',',
    CASE WHEN bits & 1 <> 0 THEN 'counter_lines' END,
    CASE WHEN bits & 2 <> 0 THEN 'course_lines' END,
    CASE WHEN bits & 4 <> 0 THEN 'installment_lines' END,
    CASE WHEN bits & 8 <> 0 THEN 'order_lines' END,
    CASE WHEN bits & 16 <> 0 THEN 'postcalc_lines' END,
    CASE WHEN bits & 32 <> 0 THEN 'subscription_lines' END);
-- SPEC §6: the name behind each source code of a financial description.
CREATE OR REPLACE TEMP MACRO source_name(code) AS CASE code
    WHEN 'vkf' THEN 'Verkoopfactuur'
    WHEN 'bdf' THEN 'Balie-/directfactuur'
    WHEN 'abo' THEN 'Abonnementsfacturen'
    WHEN 'pro' THEN 'Projectfacturen'
    WHEN 'crm' THEN 'Cursusfacturen'
    WHEN 'vzf' THEN 'Verzamelfactuur'
    WHEN 'vrd' THEN 'Voorraad'
END;
-- SPEC §6 `[<src>] <text>` for one financial_description option; project-based options fall
-- back to the debtor's name when the invoice has no single project to name.
CREATE OR REPLACE TEMP MACRO financial_description(
    opt, code, debtor_id, debtor_name, delivery_date,
    project_count, project_id, project_description, phase_id, phase_description
) AS '[' || code || '] ' || CASE
    WHEN opt = 'source_description' THEN source_name(code)
    WHEN opt = 'source_debtor_name' THEN debtor_name
    WHEN opt = 'source_debtor_number_name' THEN debtor_id || ' - ' || debtor_name
    WHEN opt = 'source_delivery_week' THEN 'week ' || strftime(delivery_date, '%G-%V')
    WHEN opt = 'source_project_description' AND project_count = 1
        THEN coalesce(project_description, project_id)
    WHEN opt = 'source_project_number_description' AND project_count = 1
        THEN concat_ws(' ', project_id, project_description)
    WHEN opt = 'source_project_phase_description' AND project_count = 1
        THEN concat_ws(' ', project_id, phase_id, phase_description)
    ELSE debtor_name
END;
-- What a line says, to tell whether a line invoiced earlier arrives changed: its content
-- columns, typed, in comparison order; `r` is a row (of billable_lines or of the run's lines).
-- (A struct compared field by field: building text lists and comparing them in a lambda made a
-- re-run of 1M invoiced lines cost minutes.)
CREATE OR REPLACE TEMP MACRO line_content(r) AS struct_pack(
    debtor_id := r.debtor_id, line_date := r.line_date, item_code := r.item_code,
    article_group := r.article_group, integration_group := r.integration_group,
    description := r.description, quantity := r.quantity, unit_price := r.unit_price,
    vat_code := r.vat_code, is_credit := r.is_credit, order_id := r.order_id,
    receipt_id := r.receipt_id, project_id := r.project_id, installment_id := r.installment_id,
    subscription_id := r.subscription_id, course_id := r.course_id);
-- the names of the columns whose content differs, in that order (NULL when none)
CREATE OR REPLACE TEMP MACRO changed_columns(before, after) AS nullif(concat_ws(', ',
    CASE WHEN before.debtor_id IS DISTINCT FROM after.debtor_id THEN 'debtor_id' END,
    CASE WHEN before.line_date IS DISTINCT FROM after.line_date THEN 'line_date' END,
    CASE WHEN before.item_code IS DISTINCT FROM after.item_code THEN 'item_code' END,
    CASE WHEN before.article_group IS DISTINCT FROM after.article_group THEN 'article_group' END,
    CASE WHEN before.integration_group IS DISTINCT FROM after.integration_group THEN 'integration_group' END,
    CASE WHEN before.description IS DISTINCT FROM after.description THEN 'description' END,
    CASE WHEN before.quantity IS DISTINCT FROM after.quantity THEN 'quantity' END,
    CASE WHEN before.unit_price IS DISTINCT FROM after.unit_price THEN 'unit_price' END,
    CASE WHEN before.vat_code IS DISTINCT FROM after.vat_code THEN 'vat_code' END,
    CASE WHEN before.is_credit IS DISTINCT FROM after.is_credit THEN 'is_credit' END,
    CASE WHEN before.order_id IS DISTINCT FROM after.order_id THEN 'order_id' END,
    CASE WHEN before.receipt_id IS DISTINCT FROM after.receipt_id THEN 'receipt_id' END,
    CASE WHEN before.project_id IS DISTINCT FROM after.project_id THEN 'project_id' END,
    CASE WHEN before.installment_id IS DISTINCT FROM after.installment_id THEN 'installment_id' END,
    CASE WHEN before.subscription_id IS DISTINCT FROM after.subscription_id THEN 'subscription_id' END,
    CASE WHEN before.course_id IS DISTINCT FROM after.course_id THEN 'course_id' END), '');
-- A value as a message shows it: every character that would act on a terminal or on how text
-- reads (controls, line/paragraph separators, zero-width and direction marks) written as Python's
-- repr writes it (\n, \x1b, \u202e) and a backslash doubled, so that no cell can forge an output
-- line or a colour (transforms.ingest.escaped: the same rule in Python). Values without such a
-- character (nearly all) are returned as they are, after one regexp test.
CREATE OR REPLACE TEMP MACRO escaped(x) AS CASE
    WHEN NOT regexp_matches(x, '[\x00-\x1f\x7f-\x9f\\\x{200b}-\x{200f}\x{2028}-\x{202e}\x{2060}-\x{2069}\x{feff}]')
        THEN x
    ELSE list_aggregate(list_transform(string_split(x, ''), lambda c: CASE
        WHEN c = chr(92) THEN chr(92) || chr(92)
        WHEN c = chr(10) THEN chr(92) || 'n'
        WHEN c = chr(13) THEN chr(92) || 'r'
        WHEN c = chr(9) THEN chr(92) || 't'
        WHEN unicode(c) < 32 OR unicode(c) BETWEEN 127 AND 159
            THEN chr(92) || 'x' || lpad(lower(hex(unicode(c))), 2, '0')
        WHEN unicode(c) BETWEEN 8203 AND 8207 OR unicode(c) BETWEEN 8232 AND 8238
             OR unicode(c) BETWEEN 8288 AND 8297 OR unicode(c) = 65279
            THEN chr(92) || 'u' || lpad(lower(hex(unicode(c))), 4, '0')
        ELSE c END), 'string_agg', '')
END;
