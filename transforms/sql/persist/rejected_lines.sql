SELECT r."table", s.line_id, r.row_number, r."column", r."check", r.value, r.message
FROM validate.line_rejections AS r
LEFT JOIN validate.staged_lines AS s ON s.source = r."table" AND s.row_number = r.row_number
