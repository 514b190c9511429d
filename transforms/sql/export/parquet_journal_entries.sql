-- Parquet: the journal entry lines of the selection, each with its allocation codes (a list of
-- {axis, code}, ordered by axis; empty when the line has none), partitioned by administration,
-- fiscal year and period. Not sorted (no sort of the whole year), and in no promised order: a join
-- does not keep its rows' order (docs/export.md says readers order by entry_id, line_no).
-- Grain: one row per entry line.
-- (flows/export.py writes one partition at a time: the codes of its entry ids only, so that the
-- list per line is built for a month of an administration, not for the whole books. Measured at
-- 10M lines under a 1 GB bound, each of these ran out of memory: an aggregate with ORDER BY
-- (it keeps every group's rows), a range of entry ids (an administration's release and stock
-- entries are numbered after every other's, so its range spans nearly the whole books), and a
-- DISTINCT of the selected ids before the semi-join. The plain list, sorted after it is
-- aggregated, exported a 3.3M-line partition in 6.1 s within the bound. A struct sorts by its
-- first field, the axis, which is unique per line.)
WITH
selected AS (
    SELECT entry_id FROM export_entries($admin, $year, $period)
),

codes AS (
    SELECT a.entry_id, a.line_no, list_sort(list({ 'axis': a.axis, 'code': a.code })) AS allocations
    FROM entry_allocations AS a
    WHERE a.entry_id IN (SELECT s.entry_id FROM selected AS s)
    GROUP BY a.entry_id, a.line_no
)
SELECT
    e.*,
    coalesce(c.allocations, []::STRUCT(axis VARCHAR, code VARCHAR)[]) AS allocations
FROM export_entries($admin, $year, $period) AS e
LEFT JOIN codes AS c ON e.entry_id = c.entry_id AND e.line_no = c.line_no
