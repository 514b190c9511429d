-- SPEC §7: each subscription item (master/subscription_items) with the state its billing goes on
-- from: `billed_through` as the books have it (the newest subscription_state row of the item,
-- written by the run that last invoiced or credited it), else as the input gives it. Once the
-- books have a state for an item, the input's billed_through is no longer read (the books know
-- what journalize billed). `months` is the length of a billing period.
-- Read by the generation of the subscription lines (validate/generated_subscription_lines.sql)
-- and by persist (persist/subscription_state.sql, how far the run billed each item).
-- Grain: one row per subscription item of a known subscription.
WITH books_state AS (
    SELECT subscription_id, item_code, billed_through
    FROM books.subscription_state
    QUALIFY row_number() OVER (PARTITION BY subscription_id, item_code ORDER BY run_id DESC) = 1
)
SELECT
    i.__row AS row_number, i.subscription_id, i.item_code, i.article_group, i.description,
    i.quantity, i.unit_price, i.vat_code, i.frequency, i.start_date, i.end_date,
    s.debtor_id,
    CASE i.frequency WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'half_year' THEN 6
                     WHEN 'year' THEN 12 END AS months,
    b.subscription_id IS NOT NULL AS state_from_books,
    CASE WHEN b.subscription_id IS NOT NULL THEN b.billed_through ELSE i.billed_through END
        AS billed_through
FROM master.subscription_items AS i
JOIN master.subscriptions AS s USING (subscription_id)
LEFT JOIN books_state AS b USING (subscription_id, item_code)
