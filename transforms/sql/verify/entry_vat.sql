-- SPEC §9, per journalised invoice and VAT code: the lines of the invoice's entry (in its
-- journal; a settlement carries no VAT code) with that code — revenue credited, invoice discount
-- debited, VAT credited — come to the invoice's net + VAT of invoice_vat, and the VAT on the
-- code's payable account is the invoice's VAT. The payable account is the one in the master data
-- the run recorded (run_vat_codes); for a run without it (books of an earlier version) only the
-- sum per code is checked. (A zero amount writes no line: a code whose net + VAT is zero may have
-- none.)
WITH
journalised AS (
    SELECT invoice_number, admin_id, journal_code, run_id FROM invoices WHERE journalized
),
booked AS (
    SELECT i.invoice_number, e.vat_code, any_value(i.admin_id) AS admin_id,
           any_value(i.run_id) AS run_id, sum(e.credit - e.debit) AS amount,
           sum(e.credit - e.debit) FILTER (WHERE e.account = c.payable_account) AS vat,
           any_value(c.payable_account) AS payable_account
    FROM journal_entries AS e
    JOIN journalised AS i ON i.invoice_number = e.invoice_number AND i.journal_code = e.journal_code
    LEFT JOIN run_vat_codes AS c
        ON c.run_id = i.run_id AND c.admin_id = i.admin_id AND c.vat_code = e.vat_code
    WHERE e.vat_code IS NOT NULL
    GROUP BY i.invoice_number, e.vat_code
),
invoiced AS (
    SELECT v.invoice_number, v.vat_code, i.admin_id, i.run_id, v.net, v.vat
    FROM invoice_vat AS v JOIN journalised AS i USING (invoice_number)
),
compared AS (
    SELECT coalesce(v.invoice_number, b.invoice_number) AS invoice_number,
           coalesce(v.vat_code, b.vat_code) AS vat_code,
           (v.net + v.vat)::DECIMAL(18, 2) AS due, coalesce(b.amount, 0) AS amount,
           v.vat AS vat_due, coalesce(b.vat, 0) AS vat, v.invoice_number IS NOT NULL AS has_vat,
           coalesce(b.payable_account, c.payable_account) AS payable_account
    FROM invoiced AS v
    FULL JOIN booked AS b ON b.invoice_number = v.invoice_number AND b.vat_code = v.vat_code
    LEFT JOIN run_vat_codes AS c
        ON c.run_id = v.run_id AND c.admin_id = v.admin_id AND c.vat_code = v.vat_code
)
SELECT 'invoice ' || invoice_number || ' VAT code ' || vat_code || ': '
       || CASE WHEN NOT has_vat THEN 'its entry books ' || amount || ' with the code, '
                                     || 'which the invoice has no invoice_vat row for'
               ELSE concat_ws('; ',
                   CASE WHEN amount <> due
                        THEN 'its entry books ' || amount || ' with the code but net + VAT is '
                             || due END,
                   CASE WHEN payable_account IS NOT NULL AND vat <> vat_due
                        THEN 'VAT booked on ' || payable_account || ' is ' || vat
                             || ' but the invoice''s VAT is ' || vat_due END) END AS finding
FROM compared
WHERE NOT has_vat OR amount <> due OR (payable_account IS NOT NULL AND vat <> vat_due)
ORDER BY 1
