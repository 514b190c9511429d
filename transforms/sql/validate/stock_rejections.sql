-- materialized: append to validate.line_rejections
-- Rules across rows and tables on the staged stock mutations, into the run's quarantine (as
-- validate/reference_rejections.sql does for the billable lines): unique mutation ids, known
-- administrations and article groups, amounts that fit, and what each kind needs (a transfer
-- goes to another administration; a delivery names no to_admin_id).
WITH
files AS (SELECT "table" AS source, display FROM ingest.input_files),
repeated AS (
    SELECT mutation_id, count(*) AS copies
    FROM validate.staged_stock_mutations WHERE mutation_id IS NOT NULL
    GROUP BY mutation_id HAVING count(*) > 1
),
checked AS (
    SELECT s.*,
           coalesce(r.copies, 1) AS copies,
           s.stock_admin_id IS NOT NULL AND sa.admin_id IS NULL AS unknown_stock_admin,
           s.invoice_admin_id IS NOT NULL AND ia.admin_id IS NULL AS unknown_invoice_admin,
           s.to_admin_id IS NOT NULL AND ta.admin_id IS NULL AS unknown_to_admin,
           s.article_group IS NOT NULL AND sa.admin_id IS NOT NULL AND sg.article_group IS NULL
               AS unknown_article_group,
           -- the administration the goods reach (invoicing or receiving) books them with its
           -- article group of the same code
           s.article_group IS NOT NULL AND oa.admin_id IS NOT NULL AND og.article_group IS NULL
               AND oa.admin_id <> sa.admin_id AS unknown_other_article_group,
           oa.admin_id AS other_admin_id,
           (s.cost_amount IS NULL AND s.quantity IS NOT NULL AND s.cost_price IS NOT NULL)
           OR (s.transfer_amount IS NULL AND s.quantity IS NOT NULL
               AND coalesce(s.transfer_price, s.cost_price) IS NOT NULL) AS amount_too_large,
           s.kind = 'transfer' AND s.to_admin_id IS NULL AS transfer_without_target,
           s.kind = 'transfer' AND s.to_admin_id = s.stock_admin_id AS transfer_to_itself,
           s.kind = 'delivery' AND s.to_admin_id IS NOT NULL AS delivery_with_target,
           s.kind = 'delivery' AND s.transfer_price IS NOT NULL AS delivery_with_transfer_price
    FROM validate.staged_stock_mutations AS s
    LEFT JOIN repeated AS r USING (mutation_id)
    LEFT JOIN master.administrations AS sa ON sa.admin_id = s.stock_admin_id
    LEFT JOIN master.administrations AS ia ON ia.admin_id = s.invoice_admin_id
    LEFT JOIN master.administrations AS ta ON ta.admin_id = s.to_admin_id
    LEFT JOIN master.administrations AS oa
        ON oa.admin_id = CASE WHEN s.kind = 'transfer' THEN s.to_admin_id ELSE s.invoice_admin_id END
    LEFT JOIN master.article_groups AS sg
        ON sg.admin_id = s.stock_admin_id AND sg.article_group = s.article_group
    LEFT JOIN master.article_groups AS og
        ON og.admin_id = oa.admin_id AND og.article_group = s.article_group
),
lines AS (
    SELECT k.*, coalesce(f.display, 'lines/' || k.source) AS display
    FROM checked AS k LEFT JOIN files AS f USING (source)
    WHERE k.copies > 1 OR k.unknown_stock_admin OR k.unknown_invoice_admin OR k.unknown_to_admin
       OR k.unknown_article_group OR k.unknown_other_article_group OR k.amount_too_large
       OR k.transfer_without_target OR k.transfer_to_itself OR k.delivery_with_target
       OR k.delivery_with_transfer_price
),
faults AS (
    SELECT source, row_number, 'mutation_id' AS "column", 'unique_mutation_id' AS "check",
           mutation_id AS value,
           'mutation_id ' || escaped(mutation_id) || ' occurs ' || copies || ' times in the file'
               AS reason,
           display
    FROM lines WHERE copies > 1
    UNION ALL
    SELECT source, row_number, 'stock_admin_id', 'known_administration', stock_admin_id,
           'unknown administration ' || escaped(stock_admin_id), display
    FROM lines WHERE unknown_stock_admin
    UNION ALL
    SELECT source, row_number, 'invoice_admin_id', 'known_administration', invoice_admin_id,
           'unknown administration ' || escaped(invoice_admin_id), display
    FROM lines WHERE unknown_invoice_admin
    UNION ALL
    SELECT source, row_number, 'to_admin_id', 'known_administration', to_admin_id,
           'unknown administration ' || escaped(to_admin_id), display
    FROM lines WHERE unknown_to_admin
    UNION ALL
    SELECT source, row_number, 'article_group', 'known_article_group', article_group,
           'unknown article group ' || escaped(article_group) || ' in administration '
           || escaped(stock_admin_id),
           display
    FROM lines WHERE unknown_article_group
    UNION ALL
    SELECT source, row_number, 'article_group', 'known_article_group', article_group,
           'unknown article group ' || escaped(article_group) || ' in administration '
           || escaped(other_admin_id),
           display
    FROM lines WHERE unknown_other_article_group
    UNION ALL
    SELECT source, row_number, 'cost_price', 'amount_range',
           CAST(quantity AS VARCHAR) || ' x ' || CAST(coalesce(transfer_price, cost_price) AS VARCHAR),
           'the amount quantity x price does not fit DECIMAL(18,2) (at most 16 digits before the decimal point)',
           display
    FROM lines WHERE amount_too_large
    UNION ALL
    SELECT source, row_number, 'to_admin_id', 'transfer_target', NULL,
           'a transfer names the administration the stock moves to (to_admin_id)', display
    FROM lines WHERE transfer_without_target
    UNION ALL
    SELECT source, row_number, 'to_admin_id', 'transfer_target', to_admin_id,
           'a transfer moves stock to another administration than stock_admin_id', display
    FROM lines WHERE transfer_to_itself
    UNION ALL
    SELECT source, row_number, 'to_admin_id', 'delivery_target', to_admin_id,
           'a delivery names no to_admin_id (only a transfer moves stock to an administration)',
           display
    FROM lines WHERE delivery_with_target
    UNION ALL
    SELECT source, row_number, 'transfer_price', 'delivery_target', CAST(transfer_price AS VARCHAR),
           'a delivery has no transfer_price (only a transfer has one)', display
    FROM lines WHERE delivery_with_transfer_price
),
numbered AS (
    SELECT *, row_number() OVER (PARTITION BY source, "check" ORDER BY row_number) AS nth
    FROM faults
)
SELECT source AS "table", row_number, "column", "check", CASE WHEN nth <= $full THEN value END AS value,
       display || ' row ' || row_number || ', column ' || "column"
       || CASE WHEN nth <= $full THEN ': ' || reason || ' [rule ' || "check" || ']'
               ELSE ' [rule ' || "check" || ']' END AS message
FROM numbered
