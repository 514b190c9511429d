-- SPEC §9 (stock): the stock entries of the run, as journal entry lines: each line the sum of the
-- mutations' shares on it (journalise/stock_entry_links.sql), dated on the mutation date,
-- described `[vrd] Voorraad` (SPEC §6: stock entries always use source_description), with no
-- invoice or debtor. Grain: one row per entry line.
SELECT
    admin_id, journal_code, entry_id, line_no,
    any_value(entry_date) AS entry_date,
    year(any_value(entry_date))::INTEGER AS fiscal_year,
    month(any_value(entry_date))::INTEGER AS period,
    account,
    NULL::VARCHAR AS debtor_id,
    NULL::VARCHAR AS invoice_number,
    '[vrd] ' || source_name('vrd') AS description,
    sum(debit)::DECIMAL(18, 2) AS debit,
    sum(credit)::DECIMAL(18, 2) AS credit,
    NULL::VARCHAR AS vat_code,
    'vrd' AS source,
    NULL::DATE AS due_date
FROM journalise.stock_entry_links
GROUP BY admin_id, journal_code, entry_id, line_no, account
