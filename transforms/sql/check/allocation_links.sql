-- SPEC §9 cost allocation: one field per axis and link type (a line has one code on an axis).
SELECT 'master/allocation_links: axis ' || escaped(axis) || ' of link type ' || link_type
       || ' names ' || count(*) || ' fields (' || string_agg(escaped(field), ', ' ORDER BY field)
       || '); a line has one code per axis: keep one' AS message
FROM master.allocation_links
GROUP BY axis, link_type
HAVING count(*) > 1
ORDER BY axis, link_type
