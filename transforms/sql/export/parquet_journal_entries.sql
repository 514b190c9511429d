-- Parquet: the journal entry lines of the selection, each with its allocation codes (a list of
-- {axis, code}, ordered by axis; empty when the line has none), partitioned by administration,
-- fiscal year and period. Rows in the books' order (entry by entry: no sort of the whole year).
-- Grain: one row per entry line.
WITH
codes AS (
    SELECT entry_id, line_no, list({ 'axis': axis, 'code': code } ORDER BY axis) AS allocations
    FROM entry_allocations
    GROUP BY entry_id, line_no
)
SELECT
    e.*,
    coalesce(c.allocations, []::STRUCT(axis VARCHAR, code VARCHAR)[]) AS allocations
FROM export_entries($admin, $year, $period) AS e
LEFT JOIN codes AS c ON e.entry_id = c.entry_id AND e.line_no = c.line_no
