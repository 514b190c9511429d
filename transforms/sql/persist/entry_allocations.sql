-- SPEC §9 cost allocation (verbijzondering): per entry line that carries allocation codes (a
-- revenue line, JSON {axis: code}), one row per axis with its code; NULL where the line's field
-- was empty (a gap: the view allocation_gaps lists them). Sealed in the chain of the entry's
-- administration and journal. Grain: one row per (entry line, axis).
SELECT
    e.entry_id, e.line_no, a.axis, e.allocation ->> a.axis AS code,
    e.admin_id AS seal_admin_id, e.journal_code AS seal_journal_code
FROM journalise.run_journal_entries AS e, unnest(json_keys(e.allocation)) AS a (axis)
WHERE e.allocation IS NOT NULL
ORDER BY e.entry_id, e.line_no, a.axis
