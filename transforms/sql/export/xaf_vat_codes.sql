-- XAF vatCodes: the administration's VAT codes as the latest run that recorded each one had it,
-- described by their rate, with the account the VAT is payable on. Grain: one row per VAT code.
SELECT
    vat_code,
    'VAT ' || vat_code || ' ' || (arg_max(rate, run_id) * 100)::DECIMAL(9, 2) || ' %' AS description,
    arg_max(payable_account, run_id) AS payable_account
FROM run_vat_codes
WHERE admin_id = $admin
GROUP BY vat_code
ORDER BY vat_code
