-- (books connection) The drafts of the invoices posted are gone once booked; rows: their numbers.
DELETE FROM draft_entries WHERE invoice_number IN (SELECT invoice_number FROM rows);
DELETE FROM draft_open_items WHERE invoice_number IN (SELECT invoice_number FROM rows);
UPDATE invoices SET journalized = true WHERE invoice_number IN (SELECT invoice_number FROM rows);
