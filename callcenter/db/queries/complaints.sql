-- name: lock_complaint
SELECT id, customer_id, status, severity, owner_id, management_reply_at, opened_at
FROM complaints WHERE id = $1
FOR UPDATE;

-- name: insert_event
INSERT INTO complaint_events (complaint_id, actor_id, kind, call_id, note, details, at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: assign
UPDATE complaints SET owner_id = $2, department = coalesce($3, department),
                      category = coalesce($5, category), updated_at = $4
WHERE id = $1;

-- name: first_contact
UPDATE complaints SET status = 'contacted', first_contact_at = coalesce(first_contact_at, $2),
                      updated_at = $2
WHERE id = $1;

-- name: reply
UPDATE complaints SET status = 'replied', replied_at = coalesce(replied_at, $2),
                      updated_at = $2
WHERE id = $1;

-- name: management_reply
UPDATE complaints SET management_reply_at = $2, updated_at = $2 WHERE id = $1;

-- name: resolve
UPDATE complaints SET status = 'resolved', resolved_at = $2, resolution = $3,
                      compensation = $4, check_call_at = NULL, updated_at = $2
WHERE id = $1;

-- name: reopen
-- Back to "replied": the customer has been heard, a new resolution is due. The first
-- round's times stay (the clock judged them); the check call starts again on the next
-- resolution.
UPDATE complaints SET status = 'replied', resolved_at = NULL, closed_at = NULL,
                      check_call_at = NULL, updated_at = $2
WHERE id = $1;

-- name: check_call_done
UPDATE complaints SET check_call_at = $2, updated_at = $2 WHERE id = $1;

-- name: close
UPDATE complaints SET status = 'closed', closed_at = $2, updated_at = $2 WHERE id = $1;

-- name: insert_check_task
-- The check call: a complaint_check follow-up for the owner, one per resolution.
INSERT INTO followup_tasks (kind, source_key, customer_id, due_date, assigned_to,
                            complaint_id)
VALUES ('complaint_check',
        'complaint:' || $1::bigint || ':check:' ||
            (SELECT count(*) + 1 FROM followup_tasks WHERE complaint_id = $1),
        $2, $3, $4, $1)
RETURNING id;

-- name: cancel_open_check_tasks
UPDATE followup_tasks SET status = 'cancelled'
WHERE complaint_id = $1 AND status IN ('open', 'call_again');

-- name: complaint
SELECT c.id, c.customer_id, c.call_id, c.followup_task_id, c.source, c.severity, c.category,
       c.department, c.description, c.owner_id, c.status, c.opened_at, c.first_contact_at,
       c.replied_at, c.management_reply_at, c.resolved_at, c.check_call_at, c.closed_at,
       c.resolution, c.compensation, c.created_by,
       cu.name AS customer_name,
       (SELECT e164 FROM customer_phones p WHERE p.customer_id = cu.id
        ORDER BY p.position, p.id LIMIT 1) AS customer_phone,
       o.display_name AS owner_name,
       -- the vehicle of the follow-up the complaint came from (the uniform sheet's)
       (SELECT json_build_object('id', v.id, 'plate', v.plate, 'model', v.model,
                                 'vin', v.vin)
        FROM followup_tasks ft JOIN vehicles v ON v.id = ft.vehicle_id
        WHERE ft.id = c.followup_task_id) AS vehicle,
       -- the check call still to make, reached from the complaint page before it is due
       (SELECT t.id FROM followup_tasks t
        WHERE t.complaint_id = c.id AND t.kind = 'complaint_check'
          AND t.status IN ('open', 'call_again')
        ORDER BY t.id DESC LIMIT 1) AS check_task_id
FROM complaints c
JOIN customers cu ON cu.id = c.customer_id
LEFT JOIN users o ON o.id = c.owner_id
WHERE c.id = $1;

-- name: timeline
SELECT e.id, e.at, e.kind, e.note, e.details, e.call_id, e.actor_id,
       u.display_name AS actor_name
FROM complaint_events e
LEFT JOIN users u ON u.id = e.actor_id
WHERE e.complaint_id = $1
ORDER BY e.at, e.id;

-- name: linked_calls
-- The complaint's own call and every call on its timeline, with their recordings.
SELECT ca.id, ca.direction, ca.started_at, ca.answered_at, ca.ended_at, ca.disposition,
       ca.agent_id, r.id AS recording_id, r.status AS recording_status,
       r.duration_ms AS recording_duration_ms
FROM calls ca
LEFT JOIN recordings r ON r.call_id = ca.id
WHERE ca.id = (SELECT call_id FROM complaints WHERE id = $1)
   OR ca.id IN (SELECT call_id FROM complaint_events
                WHERE complaint_id = $1 AND call_id IS NOT NULL)
ORDER BY ca.started_at;

-- name: list
-- One page of a list. $1 owner (NULL: any), $2 statuses (NULL: any), $3 source,
-- $4 severity, $5 department, $6 customers (NULL: any; matching_customers), $7 opened
-- from, $8 opened before, $9 limit, $10 complaints (NULL: any; the overdue tab's). Planned for its own parameters (the store sets
-- plan_cache_mode): a generic plan of the "$n IS NULL OR" filters reads everything.
SELECT c.id, c.customer_id, c.source, c.severity, c.category, c.department, c.status,
       c.description, c.owner_id, c.opened_at, c.first_contact_at, c.replied_at,
       c.management_reply_at, c.resolved_at, c.check_call_at, c.closed_at,
       cu.name AS customer_name, o.display_name AS owner_name
FROM complaints c
JOIN customers cu ON cu.id = c.customer_id
LEFT JOIN users o ON o.id = c.owner_id
WHERE ($1::bigint IS NULL OR c.owner_id = $1)
  AND ($2::text[] IS NULL OR c.status = ANY ($2))
  AND ($3::text IS NULL OR c.source = $3)
  AND ($4::text IS NULL OR c.severity = $4)
  AND ($5::text IS NULL OR c.department = $5)
  AND ($6::bigint[] IS NULL OR c.customer_id = ANY ($6))
  AND ($7::timestamptz IS NULL OR c.opened_at >= $7)
  AND ($8::timestamptz IS NULL OR c.opened_at < $8)
  AND ($10::bigint[] IS NULL OR c.id = ANY ($10))
ORDER BY c.opened_at DESC, c.id DESC
LIMIT $9;

-- name: unfinished
-- Every complaint not closed, with what the clock needs: the tabs' counts, the overdue
-- tab and the escalation sweep (complaints_open answers it).
SELECT id, customer_id, owner_id, severity, status, opened_at, first_contact_at,
       replied_at, management_reply_at, resolved_at, check_call_at
FROM complaints
WHERE status <> 'closed';

-- name: customer_name
SELECT name FROM customers WHERE id = $1;

-- name: matching_customers
-- The customers a list's search text names: $1 a name's beginning (LIKE pattern),
-- $2 the end of a phone number and $3 the end of a plate (reversed LIKE patterns);
-- every one answered by a text_pattern_ops index.
SELECT id FROM customers WHERE $1::text IS NOT NULL AND name LIKE $1
UNION
SELECT customer_id FROM customer_phones WHERE $2::text IS NOT NULL AND reverse(e164) LIKE $2
UNION
SELECT customer_id FROM vehicles WHERE reverse(upper(plate)) LIKE $3
LIMIT 20000;

-- name: mark_escalated
INSERT INTO complaint_escalations (complaint_id, step, notified_at) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING
RETURNING complaint_id;

-- name: supervisors
SELECT id FROM users WHERE active AND role IN ('supervisor', 'admin');

-- name: user_by_name
SELECT id FROM users WHERE active AND username = $1;

-- name: active_user
SELECT id, role FROM users WHERE id = $1 AND active;

-- name: mobile_of
SELECT mobile FROM users WHERE id = $1;

-- name: queue_sms
INSERT INTO sms_outbox (phone, kind, body, dedupe_key)
VALUES ($1, $2, $3, $4)
ON CONFLICT (dedupe_key) DO NOTHING;

-- name: opened_between
-- A period's complaints, for its statistics (domain/complaint_statistics.py).
SELECT c.id, c.source, c.category, c.severity, c.department, c.owner_id,
       o.display_name AS owner_name, c.opened_at, c.first_contact_at, c.replied_at,
       c.management_reply_at, c.resolved_at, c.check_call_at
FROM complaints c LEFT JOIN users o ON o.id = c.owner_id
WHERE c.opened_at >= $1 AND c.opened_at < $2;

-- name: check_calls_between
-- The check calls completed in a period, by result.
SELECT result, count(*) AS n
FROM followup_tasks
WHERE kind = 'complaint_check' AND status = 'completed'
  AND completed_at >= $1 AND completed_at < $2
GROUP BY result;

-- name: period_figures
-- A period's statistics computed where the rows are, for the calendar clock (the
-- working clock's deadlines are the domain's: domain/complaint_statistics.figures, which
-- this must equal; tests/integration/test_complaints.py compares them). $1-$2 the
-- period, $3 now, $4-$7 the windows: first contact, reply, management reply, check call.
-- A contact is the first of the first contact and the reply (domain/complaints.py).
WITH p AS (
    SELECT c.source, c.category, c.severity, c.department, o.display_name AS owner_name,
           c.opened_at, c.first_contact_at, c.replied_at, c.management_reply_at,
           c.resolved_at, c.check_call_at,
           LEAST(c.first_contact_at, c.replied_at) AS contacted
    FROM complaints c LEFT JOIN users o ON o.id = c.owner_id
    WHERE c.opened_at >= $1 AND c.opened_at < $2
), steps AS (
    SELECT count(*) AS total,
        count(*) FILTER (WHERE contacted IS NOT NULL OR $3 > opened_at + $4) AS fc_judged,
        count(*) FILTER (WHERE contacted <= opened_at + $4) AS fc_on_time,
        count(*) FILTER (WHERE replied_at IS NOT NULL OR $3 > opened_at + $5) AS re_judged,
        count(*) FILTER (WHERE replied_at <= opened_at + $5) AS re_on_time,
        count(*) FILTER (WHERE severity = 'major' AND (management_reply_at IS NOT NULL
                                                        OR $3 > opened_at + $6)) AS mr_judged,
        count(*) FILTER (WHERE severity = 'major'
                           AND management_reply_at <= opened_at + $6) AS mr_on_time,
        count(*) FILTER (WHERE resolved_at IS NOT NULL AND (check_call_at IS NOT NULL
                                                            OR $3 > resolved_at + $7))
            AS cc_judged,
        count(*) FILTER (WHERE check_call_at <= resolved_at + $7) AS cc_on_time,
        count(first_contact_at) AS fc_n,
        extract(epoch FROM avg(first_contact_at - opened_at)) AS fc_avg,
        extract(epoch FROM max(first_contact_at - opened_at)) AS fc_max,
        count(replied_at) AS re_n,
        extract(epoch FROM avg(replied_at - opened_at)) AS re_avg,
        extract(epoch FROM max(replied_at - opened_at)) AS re_max,
        count(resolved_at) AS rs_n,
        extract(epoch FROM avg(resolved_at - opened_at)) AS rs_avg,
        extract(epoch FROM max(resolved_at - opened_at)) AS rs_max
    FROM p
), breakdown AS (
    SELECT CASE WHEN GROUPING(source) = 0 THEN 'source'
                WHEN GROUPING(category) = 0 THEN 'category'
                WHEN GROUPING(severity) = 0 THEN 'severity'
                WHEN GROUPING(department) = 0 THEN 'department'
                ELSE 'owner' END AS name,
           COALESCE(source, category, severity, department, owner_name, 'none') AS value,
           count(*) AS n
    FROM p
    GROUP BY GROUPING SETS ((source), (category), (severity), (department), (owner_name))
)
SELECT steps.*,
       (SELECT json_agg(json_build_array(name, value, n)) FROM breakdown) AS breakdown
FROM steps;
