-- SPEC §9, recomputed from the books: an invoice's totals are the sums of its VAT rows
-- (invoice_vat: total_excl_vat = Σ net + Σ credit restriction, vat_amount = Σ VAT,
-- total_incl_vat = their sum), and each VAT row is its lines: gross = Σ the amounts of the
-- invoiced lines with that invoice number and VAT code (billable_lines), net = gross − invoice
-- discount, VAT = net × rate rounded half-up to cents. (The discount and credit restriction
-- percentages are the debtor's, which the books do not keep: those two amounts are taken as
-- written.)
WITH
vat AS (
    SELECT invoice_number, sum(net) AS net, sum(vat) AS vat,
           sum(credit_restriction) AS credit_restriction
    FROM invoice_vat GROUP BY invoice_number
),
lines AS (
    SELECT invoice_number, vat_code, sum(amount) AS amount, count(*) AS lines
    FROM billable_lines WHERE status = 'invoiced' GROUP BY invoice_number, vat_code
),
totals AS (
    SELECT i.invoice_number, i.admin_id, i.total_excl_vat, i.vat_amount, i.total_incl_vat,
           v.invoice_number IS NOT NULL AS has_vat,
           (v.net + v.credit_restriction)::DECIMAL(18, 2) AS excl, v.vat
    FROM invoices AS i LEFT JOIN vat AS v USING (invoice_number)
),
codes AS (
    SELECT coalesce(v.invoice_number, l.invoice_number) AS invoice_number,
           coalesce(v.vat_code, l.vat_code) AS vat_code,
           v.invoice_number IS NOT NULL AS has_vat, l.invoice_number IS NOT NULL AS has_lines,
           v.gross, v.invoice_discount, v.net, v.vat, v.vat_rate, l.amount, l.lines,
           round((v.gross - v.invoice_discount)::DECIMAL(38, 2) * v.vat_rate::DECIMAL(38, 4), 2)
               ::DECIMAL(18, 2) AS vat_due
    FROM invoice_vat AS v
    FULL JOIN lines AS l ON l.invoice_number = v.invoice_number AND l.vat_code = v.vat_code
    -- (lines named after no invoice at all are lines_once's finding)
    WHERE v.invoice_number IS NOT NULL
       OR l.invoice_number IN (SELECT invoice_number FROM invoices)
)
SELECT 'invoice ' || invoice_number || ' (' || admin_id || '): '
       || CASE WHEN NOT has_vat THEN 'has no invoice_vat rows'
               ELSE concat_ws('; ',
                   CASE WHEN total_excl_vat IS DISTINCT FROM excl
                        THEN 'total_excl_vat ' || coalesce(total_excl_vat::VARCHAR, '(none)')
                             || ' but its VAT rows give ' || excl || ' (Σ net + credit restriction)' END,
                   CASE WHEN vat_amount IS DISTINCT FROM vat
                        THEN 'vat_amount ' || coalesce(vat_amount::VARCHAR, '(none)')
                             || ' but its VAT rows give ' || vat END,
                   CASE WHEN total_incl_vat IS DISTINCT FROM total_excl_vat + vat_amount
                        THEN 'total_incl_vat ' || coalesce(total_incl_vat::VARCHAR, '(none)')
                             || ' is not total_excl_vat + vat_amount' END) END AS finding
FROM totals
WHERE NOT has_vat OR total_excl_vat IS DISTINCT FROM excl OR vat_amount IS DISTINCT FROM vat
   OR total_incl_vat IS DISTINCT FROM total_excl_vat + vat_amount
UNION ALL
SELECT 'invoice ' || invoice_number || ' VAT code ' || coalesce(vat_code, '(none)') || ': '
       || CASE WHEN NOT has_vat THEN lines || ' invoiced line(s) of ' || amount
                                     || ' but no invoice_vat row'
               WHEN NOT has_lines THEN 'gross ' || gross || ' but no invoiced line'
               ELSE concat_ws('; ',
                   CASE WHEN gross IS DISTINCT FROM amount
                        THEN 'gross ' || coalesce(gross::VARCHAR, '(none)') || ' but its '
                             || lines || ' line(s) sum to ' || amount END,
                   CASE WHEN net IS DISTINCT FROM gross - invoice_discount
                        THEN 'net ' || coalesce(net::VARCHAR, '(none)') || ' is not gross '
                             || gross || ' less invoice discount ' || invoice_discount END,
                   CASE WHEN vat IS DISTINCT FROM vat_due
                        THEN 'VAT ' || coalesce(vat::VARCHAR, '(none)') || ' is not '
                             || vat_due || ' (net at rate ' || vat_rate || ')' END) END
FROM codes
WHERE NOT has_vat OR NOT has_lines OR gross IS DISTINCT FROM amount
   OR net IS DISTINCT FROM gross - invoice_discount OR vat IS DISTINCT FROM vat_due
ORDER BY 1
