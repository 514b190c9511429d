-- The run's VAT codes (master/vat_codes): rate and payable account, kept beside its books.
SELECT admin_id, vat_code, rate, payable_account FROM master.vat_codes
