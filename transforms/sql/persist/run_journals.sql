-- The run's journals (master/journals): type, contra account and description, kept beside its
-- books for verify and an export.
SELECT admin_id, journal_code, journal_type, contra_account, description FROM master.journals
