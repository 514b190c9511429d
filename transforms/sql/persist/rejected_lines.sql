SELECT r."table", coalesce(s.line_id, m.mutation_id) AS line_id, r.row_number, r."column",
       r."check", r.value, r.message
FROM validate.line_rejections AS r
LEFT JOIN validate.staged_lines AS s ON s.source = r."table" AND s.row_number = r.row_number
LEFT JOIN validate.staged_stock_mutations AS m
    ON m.source = r."table" AND m.row_number = r.row_number
