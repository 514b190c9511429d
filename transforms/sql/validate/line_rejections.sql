-- Quarantine of the run: one row per (table, row, column, check) a line broke.
CREATE OR REPLACE TEMP TABLE line_rejections (
    "table" VARCHAR,
    row_number BIGINT,
    "column" VARCHAR,
    "check" VARCHAR,
    value VARCHAR,
    message VARCHAR
)
