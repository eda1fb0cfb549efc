-- name: worklist
-- $1 section (docs/followups.md "Worklist sections"), $2 today (center's zone), $3 agent
-- id (NULL: everyone's), $4 now, $5 the first day after the coming days' preview.
-- A task with a callback booked shows only in "callbacks" (once due) or "coming".
SELECT t.id, t.kind, t.status, t.due_date, t.attempts, t.next_attempt_at, t.assigned_to,
       t.callback_at, t.answers, t.score, t.result, t.completed_at,
       c.id AS customer_id, c.name AS customer_name, c.value_level, c.do_not_disturb,
       v.id AS vehicle_id, v.plate, v.model, v.vin,
       u.display_name AS assigned_name,
       (SELECT a.spoke_with FROM followup_attempts a
        WHERE a.task_id = t.id AND a.spoke_with IS NOT NULL
        ORDER BY a.attempted_at DESC LIMIT 1) AS spoke_with,
       COALESCE((SELECT json_agg(json_build_object('e164', p.e164, 'label', p.label,
                                                   'invalid', p.invalid_at IS NOT NULL)
                                 ORDER BY p.position, p.id)
                 FROM customer_phones p WHERE p.customer_id = c.id), '[]') AS phones
FROM followup_tasks t
JOIN customers c ON c.id = t.customer_id
LEFT JOIN vehicles v ON v.id = t.vehicle_id
LEFT JOIN users u ON u.id = t.assigned_to
WHERE ($3::bigint IS NULL OR t.assigned_to = $3 OR t.assigned_to IS NULL)
  AND t.status IN ('open', 'call_again')
  AND CASE $1
        WHEN 'today' THEN t.status = 'open' AND t.callback_at IS NULL AND t.due_date = $2
        WHEN 'overdue' THEN t.status = 'open' AND t.callback_at IS NULL AND t.due_date < $2
        WHEN 'call_again' THEN t.status = 'call_again' AND t.callback_at IS NULL
                               AND (t.next_attempt_at IS NULL OR t.next_attempt_at <= $4)
        WHEN 'callbacks' THEN t.callback_at <= $4
        WHEN 'coming' THEN
            (t.callback_at > $4 AND t.callback_at < $5::date::timestamp AT TIME ZONE $6)
            OR (t.callback_at IS NULL AND t.status = 'open' AND t.due_date > $2
                AND t.due_date < $5)
            OR (t.callback_at IS NULL AND t.status = 'call_again' AND t.next_attempt_at > $4
                AND t.next_attempt_at < $5::date::timestamp AT TIME ZONE $6)
      END
ORDER BY CASE WHEN $1 IN ('callbacks', 'coming') THEN
              COALESCE(t.callback_at, t.next_attempt_at, t.due_date::timestamp AT TIME ZONE $6)
         END,
         t.due_date, t.next_attempt_at NULLS FIRST, t.id
LIMIT 500;

-- name: get_task
SELECT t.id, t.kind, t.status, t.due_date, t.attempts, t.next_attempt_at, t.assigned_to,
       t.callback_at, t.answers, t.score, t.result, t.completed_at, t.visit_no,
       c.id AS customer_id, c.name AS customer_name, c.value_level, c.do_not_disturb,
       v.id AS vehicle_id, v.plate, v.model, v.vin,
       u.display_name AS assigned_name,
       (SELECT a.spoke_with FROM followup_attempts a
        WHERE a.task_id = t.id AND a.spoke_with IS NOT NULL
        ORDER BY a.attempted_at DESC LIMIT 1) AS spoke_with,
       COALESCE((SELECT json_agg(json_build_object('e164', p.e164, 'label', p.label,
                                                   'invalid', p.invalid_at IS NOT NULL)
                                 ORDER BY p.position, p.id)
                 FROM customer_phones p WHERE p.customer_id = c.id), '[]') AS phones
FROM followup_tasks t
JOIN customers c ON c.id = t.customer_id
LEFT JOIN vehicles v ON v.id = t.vehicle_id
LEFT JOIN users u ON u.id = t.assigned_to
WHERE t.id = $1;

-- name: lock_task
SELECT id, kind, status, customer_id, assigned_to, attempts, visit_no, complaint_id
FROM followup_tasks WHERE id = $1 FOR UPDATE;

-- name: task_kind
SELECT kind FROM followup_tasks WHERE id = $1;

-- name: assign_if_free
UPDATE followup_tasks SET assigned_to = $2 WHERE id = $1 AND assigned_to IS NULL;

-- name: clear_callback
-- The callback is being made: the task is back on the ordinary lists.
UPDATE followup_tasks SET callback_at = NULL WHERE id = $1 AND callback_at IS NOT NULL;

-- name: active_template
SELECT id, kind, title, questions, pass_score FROM questionnaire_templates
WHERE kind = $1 AND active;

-- name: insert_attempt
INSERT INTO followup_attempts (task_id, call_id, agent_id, attempted_at, result)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (task_id, call_id) DO NOTHING
RETURNING id;

-- name: relabel_attempt
UPDATE followup_attempts SET result = $3 WHERE task_id = $1 AND call_id = $2;

-- name: failed_attempts
SELECT count(*) FROM followup_attempts
WHERE task_id = $1 AND result IN ('busy', 'no_answer', 'unreachable', 'wrong_number', 'failed');

-- name: count_attempt
UPDATE followup_tasks SET attempts = attempts + 1 WHERE id = $1;

-- name: move_task
UPDATE followup_tasks SET status = $2, next_attempt_at = $3, callback_at = NULL
WHERE id = $1 AND status IN ('open', 'call_again');

-- name: complete_task
UPDATE followup_tasks
SET status = 'completed', template_id = $2, answers = $3, score = $4, result = $5,
    completed_at = $6, completed_by = $7, call_id = $8, next_attempt_at = NULL,
    callback_at = NULL
WHERE id = $1 AND status IN ('open', 'call_again');

-- name: settle_visit_orders
UPDATE service_orders SET followed_up_at = $2
WHERE visit_no = $1 AND followed_up_at IS NULL
RETURNING settled_at;

-- name: set_next_maintenance
UPDATE customers SET next_maintenance_date = $2, updated_at = now() WHERE id = $1;

-- name: customer_contact
-- The number an SMS goes to: the first one not found to be wrong.
SELECT c.name, c.do_not_disturb,
       (SELECT e164 FROM customer_phones p WHERE p.customer_id = c.id
          AND p.invalid_at IS NULL
        ORDER BY p.position, p.id LIMIT 1) AS phone
FROM customers c WHERE c.id = $1;

-- name: open_complaint
INSERT INTO complaints (customer_id, call_id, followup_task_id, source, description,
                        created_by)
VALUES ($1, $2, $3, 'followup', $4, $5)
RETURNING id;

-- name: complaint_opened_event
INSERT INTO complaint_events (complaint_id, actor_id, kind, call_id, note)
VALUES ($1, $2, 'opened', $3, $4);

-- name: call_of_task
SELECT id, disposition, ended_at, callee_number FROM calls
WHERE id = $1 AND followup_task_id = $2;

-- name: mark_outcome
-- The answered call's attempt records what it ended with.
UPDATE followup_attempts SET outcome = $3, spoke_with = COALESCE($4, spoke_with),
                             callback_at = $5
WHERE task_id = $1 AND call_id = $2;

-- name: book_callback
-- The callback returns the task to this agent's list at the customer's time, and no
-- call is placed before it.
UPDATE followup_tasks SET callback_at = $2, next_attempt_at = $2, assigned_to = $3
WHERE id = $1 AND status IN ('open', 'call_again');

-- name: mark_phone_invalid
UPDATE customer_phones SET invalid_at = $3, invalid_by = $4, invalid_call_id = $5
WHERE customer_id = $1 AND e164 = $2 AND invalid_at IS NULL;

-- name: valid_phones
SELECT count(*) FROM customer_phones WHERE customer_id = $1 AND invalid_at IS NULL;

-- name: set_do_not_disturb
-- FOR UPDATE of the customer: two requests at once close the tasks once.
SELECT id, name, do_not_disturb FROM customers WHERE id = $1 FOR UPDATE;

-- name: mark_do_not_disturb
UPDATE customers SET do_not_disturb = true, updated_at = now() WHERE id = $1;

-- name: close_open_tasks_as_sms
-- A do-not-disturb customer's open follow-ups become SMS follow-ups.
UPDATE followup_tasks SET status = 'sms', next_attempt_at = NULL, callback_at = NULL
WHERE customer_id = $1 AND status IN ('open', 'call_again')
RETURNING id, kind;

-- name: audit
INSERT INTO audit_log (actor_id, action, target_type, target_id, remote_addr, details)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: assign_tasks
-- $1 task ids, $2 agent ids (same length): one UPDATE for the whole selection. Closed
-- tasks are left alone and left out of the answer.
UPDATE followup_tasks t SET assigned_to = a.agent_id
FROM unnest($1::bigint[], $2::bigint[]) AS a(task_id, agent_id)
WHERE t.id = a.task_id AND t.status IN ('open', 'call_again')
RETURNING t.id, t.assigned_to;

-- name: active_agents
SELECT id FROM users WHERE id = ANY($1::bigint[]) AND active AND role = 'agent';

-- name: load
-- Each active agent's open work by section; $1 today.
SELECT u.id AS agent_id, u.display_name, u.username,
       count(t.id) AS open,
       count(t.id) FILTER (WHERE t.callback_at IS NULL AND t.status = 'open'
                             AND t.due_date = $1) AS today,
       count(t.id) FILTER (WHERE t.callback_at IS NULL AND t.status = 'open'
                             AND t.due_date < $1) AS overdue,
       count(t.id) FILTER (WHERE t.status = 'call_again' AND t.callback_at IS NULL)
           AS call_again,
       count(t.id) FILTER (WHERE t.callback_at IS NOT NULL) AS callbacks
FROM users u
LEFT JOIN followup_tasks t ON t.assigned_to = u.id AND t.status IN ('open', 'call_again')
WHERE u.active AND u.role = 'agent'
GROUP BY u.id
ORDER BY u.display_name, u.username;

-- name: unassigned
SELECT count(*) FROM followup_tasks WHERE assigned_to IS NULL
  AND status IN ('open', 'call_again');
