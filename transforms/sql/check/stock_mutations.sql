-- SPEC §3, §9: the configuration the run's stock mutations need (one message per administration
-- and fault, naming a mutation that needs it). Over the mutations due by the reference date that
-- were not rejected:
--   * every administration a mutation books in has a `stock` integration type (the stock
--     administration; for a transfer also the receiving one);
--   * a delivery invoiced by another administration: the stock administration's `stock` type has
--     cost_of_sales_rc_account; the invoicing one has a `stock_intercompany` type with its
--     cost_of_sales_rc_account;
--   * a transfer: the sending administration's `stock` type has stock_transfer_account (the
--     price difference) and cost_of_sales_rc_account (its RC side); the receiving one's has
--     purchase_rc_account or cost_of_sales_rc_account (its RC side);
--   * the article group of the mutation contains stock items in each administration it books in.
WITH
due AS (
    SELECT s.*
    FROM validate.staged_stock_mutations AS s
    WHERE s.mutation_date <= $reference_date
      AND NOT EXISTS (SELECT 1 FROM validate.line_rejections AS r
                      WHERE r."table" = 'stock_mutations' AND r.row_number = s.row_number)
),
needs AS (
    -- (administration, what it needs, a mutation that needs it)
    SELECT stock_admin_id AS admin_id, 'stock type' AS need, mutation_id, NULL AS other FROM due
    UNION ALL
    SELECT to_admin_id, 'stock type', mutation_id, stock_admin_id FROM due WHERE kind = 'transfer'
    UNION ALL
    SELECT stock_admin_id, 'delivery rc', mutation_id, invoice_admin_id FROM due
    WHERE kind = 'delivery' AND invoice_admin_id <> stock_admin_id
    UNION ALL
    SELECT invoice_admin_id, 'intercompany rc', mutation_id, stock_admin_id FROM due
    WHERE kind = 'delivery' AND invoice_admin_id <> stock_admin_id
    UNION ALL
    SELECT stock_admin_id, 'transfer account', mutation_id, to_admin_id FROM due WHERE kind = 'transfer'
    UNION ALL
    SELECT stock_admin_id, 'transfer rc', mutation_id, to_admin_id FROM due WHERE kind = 'transfer'
    UNION ALL
    SELECT to_admin_id, 'receive rc', mutation_id, stock_admin_id FROM due WHERE kind = 'transfer'
),
found AS (
    SELECT n.admin_id, n.need, min(n.mutation_id) AS mutation_id, min(n.other) AS other,
           count(*) AS mutations
    FROM needs AS n GROUP BY n.admin_id, n.need
),
faults AS (
    SELECT f.*,
           CASE f.need
               WHEN 'stock type' THEN st.integration_type IS NULL
               WHEN 'delivery rc' THEN st.integration_type IS NOT NULL AND st.cost_of_sales_rc_account IS NULL
               WHEN 'intercompany rc' THEN ic.integration_type IS NULL OR ic.cost_of_sales_rc_account IS NULL
               WHEN 'transfer account' THEN st.integration_type IS NOT NULL AND st.stock_transfer_account IS NULL
               WHEN 'transfer rc' THEN st.integration_type IS NOT NULL AND st.cost_of_sales_rc_account IS NULL
               WHEN 'receive rc' THEN st.integration_type IS NOT NULL
                   AND st.purchase_rc_account IS NULL AND st.cost_of_sales_rc_account IS NULL
           END AS broken,
           ic.integration_type IS NULL AS no_intercompany_type
    FROM found AS f
    LEFT JOIN master.integration_types AS st
        ON st.admin_id = f.admin_id AND st.integration_type = 'stock'
    LEFT JOIN master.integration_types AS ic
        ON ic.admin_id = f.admin_id AND ic.integration_type = 'stock_intercompany'
),
groups AS (
    -- the article group in each administration a mutation books in
    SELECT stock_admin_id AS admin_id, article_group, mutation_id FROM due
    UNION  -- (a delivery within one administration: once)
    SELECT CASE kind WHEN 'transfer' THEN to_admin_id ELSE invoice_admin_id END, article_group,
           mutation_id
    FROM due
),
no_stock_items AS (
    SELECT g.admin_id, g.article_group, min(g.mutation_id) AS mutation_id, count(*) AS mutations
    FROM groups AS g
    JOIN master.article_groups AS a USING (admin_id, article_group)
    WHERE NOT a.contains_stock_items
    GROUP BY g.admin_id, g.article_group
)
SELECT 'administration ' || escaped(admin_id) || ': ' || mutations || ' stock mutation(s) (e.g. '
       || escaped(mutation_id) || ') ' || CASE need
           WHEN 'stock type' THEN CASE WHEN other IS NULL THEN 'hold its stock'
                                       ELSE 'move stock into it from administration ' || escaped(other) END
                || ', but it has no integration type stock'
           WHEN 'delivery rc' THEN 'deliver goods that administration ' || escaped(other)
                || ' invoices, but its integration type stock has no cost_of_sales_rc_account'
           WHEN 'intercompany rc' THEN 'deliver goods from administration ' || escaped(other)
                || ' that it invoices, but it has no integration type stock_intercompany'
                || CASE WHEN no_intercompany_type THEN '' ELSE ' with a cost_of_sales_rc_account' END
           WHEN 'transfer account' THEN 'transfer stock to administration ' || escaped(other)
                || ', but its integration type stock has no stock_transfer_account'
           WHEN 'transfer rc' THEN 'transfer stock to administration ' || escaped(other)
                || ', but its integration type stock has no cost_of_sales_rc_account (its RC side)'
           WHEN 'receive rc' THEN 'move stock into it from administration ' || escaped(other)
                || ', but its integration type stock has no purchase_rc_account or '
                || 'cost_of_sales_rc_account (its RC side)'
       END AS message
FROM faults WHERE broken
UNION ALL
SELECT 'administration ' || escaped(admin_id) || ': ' || mutations || ' stock mutation(s) (e.g. '
       || escaped(mutation_id) || ') book article group ' || escaped(article_group)
       || ', which does not contain stock items'
FROM no_stock_items
ORDER BY 1
