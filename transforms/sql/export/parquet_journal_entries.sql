-- Parquet: the journal entry lines of the selection, each with its allocation codes (a list of
-- {axis, code}, ordered by axis; empty when the line has none), partitioned by administration,
-- fiscal year and period. Rows in the books' order (entry by entry: no sort of the whole year).
-- Grain: one row per entry line.
-- (flows/export.py writes one partition at a time: the codes of its entry ids only, so that the
-- list per line is built for a month of an administration, not for the whole books)
WITH
entry_range AS (
    SELECT min(entry_id) AS first_id, max(entry_id) AS last_id
    FROM export_entries($admin, $year, $period)
),

codes AS (
    SELECT a.entry_id, a.line_no, list({ 'axis': a.axis, 'code': a.code } ORDER BY a.axis) AS allocations
    FROM entry_allocations AS a, entry_range AS r
    WHERE a.entry_id BETWEEN r.first_id AND r.last_id
    GROUP BY a.entry_id, a.line_no
)
SELECT
    e.*,
    coalesce(c.allocations, []::STRUCT(axis VARCHAR, code VARCHAR)[]) AS allocations
FROM export_entries($admin, $year, $period) AS e
LEFT JOIN codes AS c ON e.entry_id = c.entry_id AND e.line_no = c.line_no
