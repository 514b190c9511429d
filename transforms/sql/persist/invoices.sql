SELECT * EXCLUDE (source_code, receivables_account, payment_discount_pct, payment_discount_date,
                  cash_journal_code, cash_description)
FROM run_invoices
