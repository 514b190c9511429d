-- The counters move on to the highest number issued per journal (teller laatste factuur).
DELETE FROM journal_counters AS c
WHERE EXISTS (SELECT 1 FROM numbered_invoices AS n
              WHERE n.admin_id = c.admin_id AND n.journal_code = c.journal_code);
