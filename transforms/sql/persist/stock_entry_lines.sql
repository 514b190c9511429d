-- Each booked mutation's share of the stock entry lines it is on (grouped entries keep every
-- mutation queryable), sealed in the chain of the line's administration and journal.
SELECT mutation_id, admin_id, journal_code, entry_id, line_no, entry_date, account, role,
       counter_admin_id, debit, credit
FROM journalise.stock_entry_links
ORDER BY admin_id, journal_code, entry_id, line_no, mutation_id
