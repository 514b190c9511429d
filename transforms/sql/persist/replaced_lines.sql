-- The (source, line_id) keys of the lines the run mapped, and (source, NULL) for every source it
-- mapped: a line without an id cannot be told from another, so an earlier row without one is
-- replaced whenever its source is read again. Read by delete_replaced_lines.
SELECT DISTINCT source, line_id FROM "group".keyed_lines
UNION
SELECT DISTINCT source, NULL FROM "group".keyed_lines
