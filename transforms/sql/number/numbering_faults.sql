-- SPEC §5 rules a run must not break; any row here stops the run before anything is written.
WITH
faults AS (
    SELECT 'administration ' || admin_id || ': journal ' || journal_code
           || ' (chosen for invoice of debtor ' || debtor_id || ') does not exist' AS message
    FROM number.numbered_invoices WHERE NOT journal_exists
    UNION ALL
    SELECT DISTINCT 'administration ' || admin_id || ': journal ' || journal_code || ' is a '
           || journal_type || ' journal; only sales and purchase journals issue invoice numbers'
    FROM number.numbered_invoices WHERE journal_exists AND journal_type NOT IN ('sales', 'purchase')
    UNION ALL
    SELECT 'administration ' || admin_id || ': invoice number ' || invoice_number
           || ' of journal ' || journal_code || ' is longer than 12 characters'
    FROM number.numbered_invoices WHERE length(invoice_number) > 12
    UNION ALL
    SELECT 'administration ' || admin_id || ': journal ' || journal_code
           || ' runs out of numbers: ' || invoice_number || ' is past number_range_end '
           || number_range_end
    FROM number.numbered_invoices WHERE number > number_range_end
    UNION ALL
    SELECT DISTINCT 'administration ' || admin_id || ': journal ' || journal_code
           || ' already has invoices dated up to ' || strftime(latest_invoice_date, '%Y-%m-%d')
           || '; numbering invoices dated ' || strftime(invoice_date, '%Y-%m-%d')
           || ' would break date order'
    FROM number.numbered_invoices WHERE invoice_date < latest_invoice_date
    UNION ALL
    SELECT 'invoice number ' || invoice_number || ' would be issued ' || count(*)
           || ' times in this run (journals ' || string_agg(DISTINCT admin_id || '/' || journal_code, ', ')
           || ')'
    FROM number.numbered_invoices GROUP BY invoice_number HAVING count(*) > 1
    UNION ALL
    SELECT 'invoice number ' || n.invoice_number || ' is already used in the database'
    FROM number.numbered_invoices AS n JOIN books.invoices AS i USING (invoice_number)
)
SELECT message FROM faults ORDER BY message
