-- The counters move on to the highest number issued per journal (teller laatste factuur).
SELECT admin_id, journal_code, max(number) AS last_invoice_number
FROM number.numbered_invoices
GROUP BY admin_id, journal_code
