-- SPEC §9 cost allocation: every row of entry_allocations names an entry line of the books, each
-- axis at most once per line, and only lines that credit or debit revenue, or release it, carry
-- codes (never the debtor, VAT or discount lines of an entry).
WITH lines AS (
    SELECT a.entry_id, a.line_no, a.axis, count(*) AS n,
           any_value(e.entry_id) IS NULL AS orphan, any_value(e.debtor_id) IS NOT NULL AS debtor_line,
           any_value(e.vat_code) IS NOT NULL AND any_value(v.payable_account) IS NOT NULL AS vat_line
    FROM entry_allocations AS a
    LEFT JOIN journal_entries AS e ON e.entry_id = a.entry_id AND e.line_no = a.line_no
    LEFT JOIN (SELECT DISTINCT run_id, admin_id, vat_code, payable_account FROM run_vat_codes) AS v
        ON v.run_id = e.run_id AND v.admin_id = e.admin_id AND v.vat_code = e.vat_code
        AND v.payable_account = e.account
    GROUP BY ALL
)
SELECT 'entry ' || entry_id || ' line ' || line_no || ', axis ' || axis || ': '
       || CASE
           WHEN orphan THEN 'an allocation of an entry line the books do not have'
           WHEN n > 1 THEN n || ' codes on one axis'
           WHEN debtor_line THEN 'an allocation of a debtor line'
           ELSE 'an allocation of a VAT line'
       END AS finding
FROM lines
WHERE orphan OR n > 1 OR debtor_line OR vat_line
ORDER BY entry_id, line_no, axis
