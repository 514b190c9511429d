-- The run's accounts (master/accounts), kept beside its books for verify (and their descriptions
-- for an export's ledger accounts).
SELECT admin_id, account, account_type, description FROM master.accounts
