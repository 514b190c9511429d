-- SPEC §9 (stock): what becomes of each stock mutation of the run. Grain: one row per staged
-- mutation (valid or not). status:
--   booked     booked by an earlier run (books.stock_mutations): never booked again; a mutation
--              that arrives again with other content is reported (changed_columns, persisted in
--              changed_lines as for billable lines);
--   rejected   quarantined (validate/stock_rejections.sql and the column checks);
--   excluded   not for this run: --admin names another stock administration, the run is limited
--              to --sources, or it does not journalise (--no-journalize); a later run books it;
--   open       dated after the reference date: a later run books it;
--   to_book    booked by this run (journalise/stock_entry_links.sql).
WITH
run AS (
    SELECT $reference_date::DATE AS reference_date, $admin::VARCHAR AS admin,
           $every_source::BOOLEAN AS every_source, $journalize::BOOLEAN AS journalize
),
rejections AS (
    SELECT row_number, string_agg(message, '; ' ORDER BY "column", "check") AS reason
    FROM validate.line_rejections WHERE "table" = 'stock_mutations' GROUP BY ALL
),
already AS (
    -- (a mutation is booked once: verify/stock_entries.sql; one booked twice would be counted
    -- twice here, and the reconciliation would not close)
    SELECT * FROM books.stock_mutations
),
mutations AS (
    SELECT
        s.* EXCLUDE (__suspect),
        r.reason AS rejection,
        a.run_id AS earlier_run_id,
        CASE WHEN a.mutation_id IS NOT NULL THEN nullif(concat_ws(', ',
            CASE WHEN a.kind IS DISTINCT FROM s.kind THEN 'kind' END,
            CASE WHEN a.stock_admin_id IS DISTINCT FROM s.stock_admin_id THEN 'stock_admin_id' END,
            CASE WHEN a.invoice_admin_id IS DISTINCT FROM s.invoice_admin_id THEN 'invoice_admin_id' END,
            CASE WHEN a.to_admin_id IS DISTINCT FROM s.to_admin_id THEN 'to_admin_id' END,
            CASE WHEN a.item_code IS DISTINCT FROM s.item_code THEN 'item_code' END,
            CASE WHEN a.article_group IS DISTINCT FROM s.article_group THEN 'article_group' END,
            CASE WHEN a.quantity IS DISTINCT FROM s.quantity THEN 'quantity' END,
            CASE WHEN a.cost_price IS DISTINCT FROM s.cost_price THEN 'cost_price' END,
            CASE WHEN a.transfer_price IS DISTINCT FROM s.transfer_price THEN 'transfer_price' END,
            CASE WHEN a.mutation_date IS DISTINCT FROM s.mutation_date THEN 'mutation_date' END
        ), '') END AS changed_columns
    FROM validate.staged_stock_mutations AS s
    LEFT JOIN rejections AS r USING (row_number)
    LEFT JOIN already AS a ON a.mutation_id = s.mutation_id
)
SELECT
    m.* EXCLUDE (rejection),
    CASE
        WHEN m.earlier_run_id IS NOT NULL THEN 'booked'
        WHEN m.rejection IS NOT NULL THEN 'rejected'
        WHEN r.admin IS NOT NULL AND (m.stock_admin_id IS DISTINCT FROM r.admin) THEN 'excluded'
        WHEN NOT r.every_source THEN 'excluded'
        WHEN NOT r.journalize THEN 'excluded'
        WHEN m.mutation_date > r.reference_date THEN 'open'
        ELSE 'to_book'
    END AS status,
    CASE
        WHEN m.earlier_run_id IS NOT NULL
            THEN 'booked earlier (run ' || m.earlier_run_id || ')'
                 || coalesce('; changed since (' || m.changed_columns || '): not booked again', '')
        WHEN m.rejection IS NOT NULL THEN m.rejection
        WHEN r.admin IS NOT NULL AND (m.stock_admin_id IS DISTINCT FROM r.admin)
            THEN 'stock administration ' || escaped(m.stock_admin_id) || ' is not in this run (--admin '
                 || escaped(r.admin) || ')'
        WHEN NOT r.every_source THEN 'the run is limited to --sources; a run of every source books stock'
        WHEN NOT r.journalize THEN 'the run does not journalise (--no-journalize)'
        WHEN m.mutation_date > r.reference_date
            THEN 'dated after the reference date ' || strftime(r.reference_date, '%Y-%m-%d')
    END AS status_reason
FROM mutations AS m, run AS r  -- (the run's settings: one row)
