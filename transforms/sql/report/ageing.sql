-- The month-end report: open items per administration and ageing bucket as of the period's last
-- day, by invoice date (the books' macro open_items_ageing_at).
SELECT admin_id, bucket, count(*) AS items, sum(amount_open)::DECIMAL(18, 2) AS amount_open
FROM open_items_ageing_at($reference_date)
GROUP BY ALL
ORDER BY admin_id, bucket
