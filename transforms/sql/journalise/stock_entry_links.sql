-- SPEC §9 (stock): each mutation's entry lines, per administration it books in, with the entry
-- and line each lands on (docs/stock.md has the shapes and a worked example). Amounts are signed
-- (positive = debit) before they are split; C = cost_amount, T = transfer_amount:
--   delivery in one administration A:  A: cost of sales +C, stock -C
--   delivery from A invoiced by B:     A: RC (stock type's cost_of_sales_rc_account) +C, stock -C
--                                      B: cost of sales +C, RC (stock_intercompany type's) -C
--   transfer from A to B:              A: RC (stock type's cost_of_sales_rc_account) +T, stock -C,
--                                         stock_transfer_account C - T
--                                      B: stock +T, RC (stock type's purchase_rc_account, else
--                                         its cost_of_sales_rc_account) -T
-- Accounts of the article group (same code) in each administration; the stock type's journal of
-- each, but the invoicing side of a delivery books in its stock_intercompany type's journal.
-- Entries: per (administration, journal, date) by default, or per mutation with the setting
-- stock_entries = per_mutation; lines per (account, side) of an entry: an account debited and
-- credited in one entry has two lines, so each line's links all have its sign. Entry ids go on
-- from $entry_base (the run's last, after the invoices of every administration), in
-- (administration, journal, date, mutation) order. Lines of zero are left out.
-- Grain: one row per (mutation, entry line): the mutation's share of the line.
WITH
grouping AS (
    SELECT coalesce(any_value(value) FILTER (WHERE key = 'stock_entries'), 'per_day') AS mode
    FROM master.settings
),
m AS (SELECT * FROM journalise.run_stock_mutations WHERE status = 'to_book'),
joined AS (
    SELECT
        m.mutation_id, m.kind, m.mutation_date, m.stock_admin_id, m.cost_amount, m.transfer_amount,
        CASE m.kind WHEN 'transfer' THEN m.to_admin_id ELSE m.invoice_admin_id END AS other_admin_id,
        st.journal_code AS stock_journal, st.cost_of_sales_rc_account AS stock_rc,
        st.stock_transfer_account AS transfer_account,
        sg.stock_account, sg.cost_of_sales_account,
        ic.journal_code AS intercompany_journal, ic.cost_of_sales_rc_account AS intercompany_rc,
        rt.journal_code AS receiving_journal,
        coalesce(rt.purchase_rc_account, rt.cost_of_sales_rc_account) AS receiving_rc,
        og.stock_account AS other_stock_account, og.cost_of_sales_account AS other_cost_of_sales_account
    FROM m
    LEFT JOIN master.integration_types AS st
        ON st.admin_id = m.stock_admin_id AND st.integration_type = 'stock'
    LEFT JOIN master.article_groups AS sg
        ON sg.admin_id = m.stock_admin_id AND sg.article_group = m.article_group
    LEFT JOIN master.integration_types AS ic
        ON ic.admin_id = m.invoice_admin_id AND ic.integration_type = 'stock_intercompany'
    LEFT JOIN master.integration_types AS rt
        ON rt.admin_id = m.to_admin_id AND rt.integration_type = 'stock'
    LEFT JOIN master.article_groups AS og
        ON og.article_group = m.article_group
           AND og.admin_id = CASE m.kind WHEN 'transfer' THEN m.to_admin_id ELSE m.invoice_admin_id END
),
postings AS (
    -- (per mutation, its debit side first, as docs/stock.md lists them)
    -- delivery within one administration
    SELECT mutation_id, mutation_date, stock_admin_id AS admin_id, stock_journal AS journal_code,
           'cost_of_sales' AS role, cost_of_sales_account AS account,
           NULL::VARCHAR AS counter_admin_id, cost_amount AS amount
    FROM joined WHERE kind = 'delivery' AND other_admin_id = stock_admin_id
    UNION ALL
    SELECT mutation_id, mutation_date, stock_admin_id, stock_journal, 'stock', stock_account, NULL,
           -cost_amount
    FROM joined WHERE kind = 'delivery' AND other_admin_id = stock_admin_id
    UNION ALL
    -- delivery from the stock administration, invoiced by another: they meet on the RC accounts
    SELECT mutation_id, mutation_date, stock_admin_id, stock_journal, 'rc', stock_rc, other_admin_id,
           cost_amount
    FROM joined WHERE kind = 'delivery' AND other_admin_id <> stock_admin_id
    UNION ALL
    SELECT mutation_id, mutation_date, stock_admin_id, stock_journal, 'stock', stock_account, NULL,
           -cost_amount
    FROM joined WHERE kind = 'delivery' AND other_admin_id <> stock_admin_id
    UNION ALL
    SELECT mutation_id, mutation_date, other_admin_id, intercompany_journal, 'cost_of_sales',
           other_cost_of_sales_account, NULL, cost_amount
    FROM joined WHERE kind = 'delivery' AND other_admin_id <> stock_admin_id
    UNION ALL
    SELECT mutation_id, mutation_date, other_admin_id, intercompany_journal, 'rc', intercompany_rc,
           stock_admin_id, -cost_amount
    FROM joined WHERE kind = 'delivery' AND other_admin_id <> stock_admin_id
    UNION ALL
    -- transfer: out of A at cost, into B at the transfer price, the difference on A
    SELECT mutation_id, mutation_date, stock_admin_id, stock_journal, 'rc', stock_rc, other_admin_id,
           transfer_amount
    FROM joined WHERE kind = 'transfer'
    UNION ALL
    SELECT mutation_id, mutation_date, stock_admin_id, stock_journal, 'stock', stock_account, NULL,
           -cost_amount
    FROM joined WHERE kind = 'transfer'
    UNION ALL
    SELECT mutation_id, mutation_date, stock_admin_id, stock_journal, 'transfer_result',
           transfer_account, NULL, cost_amount - transfer_amount
    FROM joined WHERE kind = 'transfer'
    UNION ALL
    SELECT mutation_id, mutation_date, other_admin_id, receiving_journal, 'stock',
           other_stock_account, NULL, transfer_amount
    FROM joined WHERE kind = 'transfer'
    UNION ALL
    SELECT mutation_id, mutation_date, other_admin_id, receiving_journal, 'rc', receiving_rc,
           stock_admin_id, -transfer_amount
    FROM joined WHERE kind = 'transfer'
),
shapes AS (SELECT * FROM postings WHERE amount <> 0),
entries AS (
    SELECT
        p.*,
        $entry_base::BIGINT + dense_rank() OVER (
            ORDER BY p.admin_id, p.journal_code, p.mutation_date,
                     CASE WHEN g.mode = 'per_mutation' THEN p.mutation_id END NULLS FIRST
        ) AS entry_id
    FROM shapes AS p, grouping AS g
)
SELECT
    mutation_id, admin_id, journal_code, entry_id,
    dense_rank() OVER (PARTITION BY entry_id ORDER BY amount < 0, account)::INTEGER AS line_no,
    mutation_date AS entry_date, account, role, counter_admin_id,
    greatest(amount, 0)::DECIMAL(18, 2) AS debit,
    greatest(-amount, 0)::DECIMAL(18, 2) AS credit
FROM entries
