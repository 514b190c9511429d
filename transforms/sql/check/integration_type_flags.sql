-- SPEC §3: a discount or credit-restriction flag needs its account; a payment-discount flag its days.
SELECT 'administration ' || admin_id || ': integration type ' || integration_type || ' '
       || flag || ' is set but ' || needs || ' is empty' AS message
FROM master.integration_types
CROSS JOIN LATERAL (VALUES
    ('use_invoice_discount', use_invoice_discount, 'invoice_discount_account',
     invoice_discount_account IS NOT NULL),
    ('use_credit_restriction', use_credit_restriction, 'credit_restriction_account',
     credit_restriction_account IS NOT NULL),
    ('use_payment_discount', use_payment_discount, 'payment_discount_days',
     payment_discount_days IS NOT NULL)
) AS f(flag, is_set, needs, has_it)
WHERE is_set AND NOT has_it
