-- The run's accounts (master/accounts), kept beside its books for verify.
SELECT admin_id, account, account_type FROM master.accounts
