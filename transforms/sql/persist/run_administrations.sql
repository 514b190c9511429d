-- The run's administrations (master/administrations): name, country and currency, kept beside
-- its books for an export (the company of an XAF audit file).
SELECT admin_id, name, country, currency FROM master.administrations
