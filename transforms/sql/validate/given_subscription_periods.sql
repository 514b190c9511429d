-- The periods the lines of lines/subscription_lines bill for items of master/subscription_items
-- (as read, valid or not): a period a given line bills is that line's, and the run generates
-- no line for it, nor one with the given line's line_id (validate/generated_subscription_lines.sql).
-- Only the lines of subscriptions that have items are kept (none when there are no items).
-- Grain: one row per given line of a subscription with items.
SELECT
    l.line_id, l.subscription_id, l.item_code, coalesce(l.is_credit, false) AS is_credit,
    l.period_start, coalesce(l.period_end, l.period_start) AS period_end
FROM validate.typed_subscription_lines AS l
SEMI JOIN master.subscription_items AS i ON i.subscription_id = l.subscription_id
