-- A line a run read from its files is written once: one row in billable_lines per (run, source
-- table, row of the file), whatever its id. lines_unique finds an id with more than one row, but
-- it lets pass the copies of an id that one file held more than once (each copy is a row of its
-- own, rejected as such) and cannot tell apart lines without an id; a line written twice, as the
-- merge of a distributed run once did on the next run, is found here by its row number. (A
-- partitioned table's rows are numbered over all its files.) Not for a resume, which reads the
-- open lines of earlier runs, from other files, from the books.
SELECT b.source || ' row ' || b.row_number
       || coalesce(' (line ' || min(b.line_id) || ')', ' (no line id)') || ' has '
       || count(*) || ' rows of run ' || b.run_id || ' in billable_lines ('
       || string_agg(b.status, ', ' ORDER BY b.status) || '): a line read once is written once'
           AS finding
FROM billable_lines AS b
LEFT JOIN runs AS r USING (run_id)
WHERE b.row_number IS NOT NULL AND r.command IS DISTINCT FROM 'resume'
GROUP BY b.run_id, b.source, b.row_number
HAVING count(*) > 1
ORDER BY 1
