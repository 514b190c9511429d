-- SPEC §10: the structured communication (CODA / OGM-VCS reference) of each invoice of a Belgian
-- administration with a CODA mask, from its number, date and debtor (transforms/coda.py).
-- Grain: one row per such invoice.
SELECT invoice_number,
       coda_reference(coda_mask, invoice_date, invoice_number, free_code, debtor_id)
           AS coda_reference
FROM number.numbered_invoices
WHERE country = 'BE' AND coda_mask IS NOT NULL
