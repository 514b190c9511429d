-- The ids and names of the run's debtors (master/debtors); the books side keeps those the run's
-- invoices name (persist.persist_master_data).
SELECT debtor_id, name FROM master.debtors
