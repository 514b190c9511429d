-- The run's settings, as the one row map's view of the lines
-- reads (a view binds no parameters; the lines are made into a table by group).
-- Grain: one row.
SELECT
    $reference_date::DATE AS reference_date,
    $admin::VARCHAR AS admin,
    $sources::VARCHAR[] AS sources,
    $include_credit_lines::BOOLEAN AS include_credit_lines,
    $credit_on_request::VARCHAR[] AS credit_on_request
