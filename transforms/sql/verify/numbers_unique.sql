-- SPEC §5: invoice numbers are unique across the environment (all journals, all administrations).
SELECT 'invoice number ' || invoice_number || ' is used ' || count(*) || ' times ('
       || string_agg(admin_id || '/' || journal_code, ', ' ORDER BY admin_id, journal_code) || ')'
       AS finding
FROM invoices GROUP BY invoice_number HAVING count(*) > 1
ORDER BY 1
