-- The selection and text helpers of `journalize export` (temporary macros of its read-only
-- connection to the books; transforms/export.py).
-- The journal entry lines of the selection: an administration, fiscal year and period, each NULL
-- for all.
CREATE OR REPLACE TEMP MACRO export_entries(sel_admin, sel_year, sel_period) AS TABLE
SELECT *
FROM journal_entries
WHERE (sel_admin IS NULL OR admin_id = sel_admin)
    AND (sel_year IS NULL OR fiscal_year = sel_year)
    AND (sel_period IS NULL OR period = sel_period);

-- Whether a document of that date, administration is in the selection.
CREATE OR REPLACE TEMP MACRO export_selected(a, d, sel_admin, sel_year, sel_period) AS
(sel_admin IS NULL OR a = sel_admin)
AND (sel_year IS NULL OR year(d) = sel_year)
AND (sel_period IS NULL OR month(d) = sel_period);

-- Text as XML character data: & < > escaped, a carriage return kept as a reference (a parser
-- would make it a line feed), and the characters XML 1.0 cannot hold at all (other control
-- characters, U+FFFE, U+FFFF) replaced by U+FFFD. Text without any of them (nearly all) is
-- returned as it is, after one regexp test.
CREATE OR REPLACE TEMP MACRO xml_text(x) AS CASE
    WHEN NOT regexp_matches(x, '[&<>\x00-\x08\x0b-\x1f\x{fffe}\x{ffff}]') THEN x
    ELSE regexp_replace(
        replace(replace(replace(replace(x, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), chr(13), '&#13;'),
        '[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]', chr(65533), 'g'
    )
END;

-- An element with text, or nothing when the value is NULL.
CREATE OR REPLACE TEMP MACRO xml_leaf(tag, x) AS
coalesce('<' || tag || '>' || xml_text(x::VARCHAR) || '</' || tag || '>', '');

-- An element with a number or a date (nothing to escape), or nothing when the value is NULL.
CREATE OR REPLACE TEMP MACRO xml_value(tag, x) AS
coalesce('<' || tag || '>' || x::VARCHAR || '</' || tag || '>', '');

-- A JSON member ("name":value), or nothing when the value is NULL.
CREATE OR REPLACE TEMP MACRO json_member(name, x) AS
coalesce(',"' || name || '":' || to_json(x), '');
