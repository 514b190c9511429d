-- XAF transactions of one journal of an audit file, each as the XML text of its <transaction>
-- element (XAF 4.0, or 3.2 with $v32): nr = the entry id, the entry's description, period and
-- date, its source (vkf, bdf, …) and the OS user of the run that booked it; a <trLine> per entry
-- line: nr = line number, the account, docRef and invRef = the invoice number (the entry id
-- where there is none), effDate = the entry (invoice) date, amnt with amntTp D or C, custSupID =
-- the debtor of a debtor line, the allocation codes as "axis=code; …" (4.0 cost, 3.2 costID) and
-- VAT per line: on a VAT line (the code's payable account) its own amount, on a line the VAT is
-- levied on (revenue, discount) the line's amount × rate, rounded half-up per line (the rate the
-- run that booked the line recorded; books of an earlier version recorded none: no VAT element).
-- The entries from $first_entry to $last_entry at a time (a bounded working set).
-- Grain: one row per transaction, in entry order.
WITH
e AS (
    SELECT * FROM export_entries($admin, $year, $period)
    WHERE journal_code = $journal AND entry_id BETWEEN $first_entry AND $last_entry
),
codes AS (
    SELECT entry_id, line_no, string_agg(axis || '=' || code, '; ' ORDER BY axis) AS allocation
    FROM entry_allocations
    WHERE code IS NOT NULL AND entry_id BETWEEN $first_entry AND $last_entry
    GROUP BY entry_id, line_no
),
vat_codes AS (
    -- the rate and payable account as the run that booked the line recorded them (a post run
    -- records those of the runs it books)
    SELECT run_id, vat_code, any_value(rate) AS rate, any_value(payable_account) AS payable_account
    FROM run_vat_codes
    WHERE admin_id = $admin
    GROUP BY run_id, vat_code
),
lines AS (
    SELECT
        e.*,
        c.allocation,
        v.rate,
        e.account = v.payable_account AS is_vat_line,
        e.debit - e.credit AS signed,
        u.os_user
    FROM e
    LEFT JOIN codes AS c ON e.entry_id = c.entry_id AND e.line_no = c.line_no
    LEFT JOIN vat_codes AS v ON e.run_id = v.run_id AND e.vat_code = v.vat_code
    LEFT JOIN runs AS u ON e.run_id = u.run_id
),
rendered AS (
    SELECT
        entry_id, line_no, entry_date, period, description, source, os_user, debit, credit,
        '<trLine>' || xml_value('nr', line_no)
        || xml_leaf('accID', account)
        || xml_leaf('docRef', coalesce(invoice_number, entry_id::VARCHAR))
        || xml_value('effDate', entry_date)
        || xml_leaf('desc', description)
        || xml_value('amnt', abs(signed)::DECIMAL(18, 2))
        || xml_value('amntTp', CASE WHEN signed >= 0 THEN 'D' ELSE 'C' END)
        || xml_leaf('custSupID', debtor_id)
        || xml_leaf('invRef', invoice_number)
        || xml_leaf(CASE WHEN $v32 THEN 'costID' ELSE 'cost' END, allocation)
        || coalesce(
            CASE WHEN vat_code IS NOT NULL AND rate IS NOT NULL THEN
                '<vat>' || xml_leaf('vatID', vat_code)
                || xml_value('vatPerc', (rate * 100)::DECIMAL(8, 3))
                || xml_value('vatAmnt', abs(CASE WHEN coalesce(is_vat_line, false) THEN signed
                                               ELSE money(signed * rate) END)::DECIMAL(18, 2))
                || xml_value('vatAmntTp', CASE WHEN signed >= 0 THEN 'D' ELSE 'C' END)
                || '</vat>'
            END, ''
        )
        || '</trLine>' AS xml
    FROM lines
)
SELECT
    entry_id,
    count(*) AS lines,
    sum(debit) AS debit,
    sum(credit) AS credit,
    '<transaction>' || xml_value('nr', entry_id)
    || xml_leaf('desc', arg_min(description, line_no))
    || xml_value('periodNumber', any_value(period))
    || xml_value('trDt', any_value(entry_date))
    || xml_leaf(CASE WHEN $v32 THEN 'sourceID' ELSE 'Source' END, any_value(source))
    || xml_leaf(CASE WHEN $v32 THEN 'userID' ELSE 'User' END, any_value(os_user))
    || string_agg(xml, '' ORDER BY line_no)
    || '</transaction>' AS xml
FROM rendered
GROUP BY entry_id
ORDER BY entry_id
