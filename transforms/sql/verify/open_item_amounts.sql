-- An open item (openstaande post) is the receivable its invoice's entry booked: the debit of the
-- entry's debtor line (the entry in the invoice's journal; a cash sale's settlement is another),
-- for the same administration, debtor and due date. (invoices_booked checks that a journalised
-- invoice has one open item and that its debtor line carries the invoice's total.)
WITH
debtor_lines AS (
    SELECT e.invoice_number, any_value(e.admin_id) AS admin_id, any_value(e.debtor_id) AS debtor_id,
           any_value(e.due_date) AS due_date, sum(e.debit - e.credit) AS amount
    FROM journal_entries AS e
    JOIN invoices AS i ON i.invoice_number = e.invoice_number AND i.journal_code = e.journal_code
    WHERE e.debtor_id IS NOT NULL
    GROUP BY e.invoice_number
)
SELECT 'open item of invoice ' || o.invoice_number || ' (' || coalesce(o.admin_id, '?')
       || ', debtor ' || coalesce(o.debtor_id, '?') || ', amount ' || coalesce(o.amount::VARCHAR, '?')
       || '): '
       || CASE WHEN d.invoice_number IS NULL THEN 'its invoice has no entry with a debtor line'
               ELSE concat_ws('; ',
                   CASE WHEN o.amount IS DISTINCT FROM d.amount
                        THEN 'the debtor line of its entry is ' || d.amount END,
                   CASE WHEN o.debtor_id IS DISTINCT FROM d.debtor_id
                        THEN 'the debtor line names debtor ' || coalesce(d.debtor_id, '(none)') END,
                   CASE WHEN o.admin_id IS DISTINCT FROM d.admin_id
                        THEN 'the entry is in administration ' || d.admin_id END,
                   CASE WHEN o.due_date IS DISTINCT FROM d.due_date
                        THEN 'due ' || coalesce(o.due_date::VARCHAR, '(none)')
                             || ' but the debtor line is due ' || coalesce(d.due_date::VARCHAR, '(none)')
                   END) END AS finding
FROM open_items AS o
LEFT JOIN debtor_lines AS d USING (invoice_number)
WHERE d.invoice_number IS NULL OR o.amount IS DISTINCT FROM d.amount
   OR o.debtor_id IS DISTINCT FROM d.debtor_id OR o.admin_id IS DISTINCT FROM d.admin_id
   OR o.due_date IS DISTINCT FROM d.due_date
ORDER BY 1
