-- The month-end report: each administration's currency, as its invoices name it (several when
-- its invoices name several).
SELECT admin_id, string_agg(DISTINCT currency, ', ' ORDER BY currency) AS currency
FROM invoices
GROUP BY admin_id
ORDER BY admin_id
