-- Books side: the counters of the journals the run numbered in (`rows`, from journal_counters)
-- give way to the run's.
DELETE FROM journal_counters AS c
USING rows AS k
WHERE k.admin_id = c.admin_id AND k.journal_code = c.journal_code
