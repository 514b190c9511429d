INSERT INTO journal_counters BY NAME
SELECT admin_id, journal_code, max(number) AS last_invoice_number, $run_id AS run_id
FROM numbered_invoices
GROUP BY admin_id, journal_code
