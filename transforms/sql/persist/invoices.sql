INSERT INTO invoices BY NAME
SELECT * EXCLUDE (source_code, receivables_account, payment_discount_pct, payment_discount_date,
                  cash_journal_code, cash_description),
       $run_id AS run_id
FROM run_invoices
