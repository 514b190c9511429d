-- The run's journals (master/journals): type and contra account, kept beside its books for verify.
SELECT admin_id, journal_code, journal_type, contra_account FROM master.journals
