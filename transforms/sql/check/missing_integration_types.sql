-- SPEC §3, §4, §8: every source that has lines to invoice needs its integration type in the
-- line's administration, and collected lines the administration's collective_invoice type.
-- Over the mapped lines of the run's scope (its sources; not rejected, invoiced earlier or
-- excluded; dated on or before the reference date). One message per (administration, integration type).
SELECT
    'administration ' || admin_id || ': ' || count(*) || ' line(s) of '
    || string_agg(DISTINCT source, ', ' ORDER BY source)
    || CASE WHEN integration_type = 'collective_invoice'
            THEN ' are collected (collective invoicing) but there is no integration type collective_invoice'
            ELSE ' to invoice but there is no integration type ' || integration_type END
    AS message
FROM "group".keyed_lines
WHERE NOT has_integration_type
  AND status NOT IN ('rejected', 'invoiced', 'excluded')
  AND line_date <= $reference_date
  AND list_contains($sources, source)
GROUP BY admin_id, integration_type
ORDER BY admin_id, integration_type
