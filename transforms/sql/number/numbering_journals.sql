-- SPEC §5: the state of every journal's counter at the start of the run: the higher of the
-- master's last_invoice_number and the counter persisted by earlier runs.
-- Grain: one row per (administration, journal).
SELECT
    j.admin_id, j.journal_code, j.journal_type, j.number_prefix, j.number_range_end,
    greatest(j.last_invoice_number, coalesce(c.last_invoice_number, j.last_invoice_number))
        AS last_number,
    (SELECT max(i.invoice_date) FROM books.invoices AS i
     WHERE i.admin_id = j.admin_id AND i.journal_code = j.journal_code) AS latest_invoice_date
FROM master.journals AS j
LEFT JOIN books.journal_counters AS c USING (admin_id, journal_code)
