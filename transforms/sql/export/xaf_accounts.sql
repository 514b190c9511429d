-- XAF generalLedger: the administration's ledger accounts as the latest run that recorded each
-- one had it (accTp B balance, P profit and loss). Grain: one row per account.
SELECT
    account,
    coalesce(arg_max(description, run_id), account) AS description,
    CASE arg_max(account_type, run_id) WHEN 'balance' THEN 'B' WHEN 'result' THEN 'P' END AS acc_tp
FROM run_accounts
WHERE admin_id = $admin
GROUP BY account
ORDER BY account
