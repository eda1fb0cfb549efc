-- name: worklist
-- $1 list (today | overdue | call_again), $2 today, $3 agent id (NULL: everyone's)
SELECT t.id, t.kind, t.status, t.due_date, t.attempts, t.next_attempt_at, t.assigned_to,
       t.answers, t.score, t.result, t.completed_at,
       c.id AS customer_id, c.name AS customer_name, c.value_level, c.do_not_disturb,
       v.id AS vehicle_id, v.plate, v.model, v.vin,
       COALESCE((SELECT json_agg(json_build_object('e164', p.e164, 'label', p.label)
                                 ORDER BY p.position, p.id)
                 FROM customer_phones p WHERE p.customer_id = c.id), '[]') AS phones
FROM followup_tasks t
JOIN customers c ON c.id = t.customer_id
LEFT JOIN vehicles v ON v.id = t.vehicle_id
WHERE ($3::bigint IS NULL OR t.assigned_to = $3 OR t.assigned_to IS NULL)
  AND CASE $1
        WHEN 'today' THEN t.status = 'open' AND t.due_date = $2
        WHEN 'overdue' THEN t.status = 'open' AND t.due_date < $2
        WHEN 'call_again' THEN t.status = 'call_again'
      END
ORDER BY t.due_date, t.next_attempt_at NULLS FIRST, t.id
LIMIT 500;

-- name: get_task
SELECT t.id, t.kind, t.status, t.due_date, t.attempts, t.next_attempt_at, t.assigned_to,
       t.answers, t.score, t.result, t.completed_at, t.visit_no,
       c.id AS customer_id, c.name AS customer_name, c.value_level, c.do_not_disturb,
       v.id AS vehicle_id, v.plate, v.model, v.vin,
       COALESCE((SELECT json_agg(json_build_object('e164', p.e164, 'label', p.label)
                                 ORDER BY p.position, p.id)
                 FROM customer_phones p WHERE p.customer_id = c.id), '[]') AS phones
FROM followup_tasks t
JOIN customers c ON c.id = t.customer_id
LEFT JOIN vehicles v ON v.id = t.vehicle_id
WHERE t.id = $1;

-- name: lock_task
SELECT id, kind, status, customer_id, assigned_to, attempts, visit_no, complaint_id
FROM followup_tasks WHERE id = $1 FOR UPDATE;

-- name: task_kind
SELECT kind FROM followup_tasks WHERE id = $1;

-- name: assign_if_free
UPDATE followup_tasks SET assigned_to = $2 WHERE id = $1 AND assigned_to IS NULL;

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
UPDATE followup_tasks SET status = $2, next_attempt_at = $3
WHERE id = $1 AND status IN ('open', 'call_again');

-- name: complete_task
UPDATE followup_tasks
SET status = 'completed', template_id = $2, answers = $3, score = $4, result = $5,
    completed_at = $6, completed_by = $7, call_id = $8, next_attempt_at = NULL
WHERE id = $1 AND status IN ('open', 'call_again');

-- name: settle_visit_orders
UPDATE service_orders SET followed_up_at = $2
WHERE visit_no = $1 AND followed_up_at IS NULL
RETURNING settled_at;

-- name: set_next_maintenance
UPDATE customers SET next_maintenance_date = $2, updated_at = now() WHERE id = $1;

-- name: customer_contact
SELECT c.name, c.do_not_disturb,
       (SELECT e164 FROM customer_phones p WHERE p.customer_id = c.id
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
SELECT id, disposition, ended_at FROM calls WHERE id = $1 AND followup_task_id = $2;
