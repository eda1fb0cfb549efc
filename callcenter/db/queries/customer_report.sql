-- The customers report: reads of the summaries of migration 0016 (a few thousand small
-- rows at most), and the win-back calls through their partial index.

-- name: state
SELECT s.tz, s.regions, z.tz AS zone FROM customer_report_state s, report_zone z;

-- name: rebuild
SELECT customer_report_rebuild($1);

-- name: groups
-- Every count but the delivery days: (dimension, value, count).
SELECT dimension, value, count FROM report_customer_groups
WHERE dimension <> 'delivered' AND count <> 0
ORDER BY dimension, count DESC, value;

-- name: deliveries
-- Vehicles by delivery day ('none': no day), for their age on the report's day.
SELECT CASE WHEN value = 'none' THEN NULL ELSE value::date END AS day, count
FROM report_customer_groups
WHERE dimension = 'delivered' AND count <> 0;

-- name: visit_states
-- $1 the day, $2 the lost measure ('lost:12'): the customers in each state that day.
SELECT measure, sum(customers)::int AS customers FROM report_visit_events
WHERE (measure IN ('grade:1', 'grade:2-3', 'grade:4+') OR measure = $2) AND day <= $1
GROUP BY measure;

-- name: win_backs
-- $1..$2 the moments (from, to): customers whose win-back call was completed then, and
-- those of them with a service order settled after it and before $2.
SELECT count(DISTINCT t.customer_id)::int AS called,
       (count(DISTINCT t.customer_id) FILTER (WHERE EXISTS (
           SELECT FROM service_orders o
           WHERE o.customer_id = t.customer_id AND o.settled_at > t.completed_at
             AND o.settled_at < $2)))::int AS won_back
FROM followup_tasks t
WHERE t.kind = 'win_back' AND t.status = 'completed'
  AND t.completed_at >= $1 AND t.completed_at < $2;

-- name: lost_months
SELECT report_lost_months();
