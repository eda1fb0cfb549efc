-- name: insert_call
INSERT INTO calls (linkedid, direction, customer_id, agent_id, callee_number, started_at,
                   state, followup_task_id, category)
VALUES ($1, 'outbound', $2, $3, $4, $5, 'agent_ringing', $6, 'followup')
RETURNING id;

-- name: set_state
UPDATE calls SET state = $2 WHERE id = $1 AND ended_at IS NULL;

-- name: finish_call
UPDATE calls
SET state = 'ended', disposition = $2, answered_at = $3, ended_at = $4
WHERE id = $1 AND ended_at IS NULL
RETURNING followup_task_id, customer_id, agent_id, answered_at, ended_at;

-- name: insert_leg
INSERT INTO call_legs (call_id, uniqueid, channel, role, created_at, answered_at, hungup_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (uniqueid) DO NOTHING;

-- name: insert_event
INSERT INTO call_events (call_id, at, kind, data) VALUES ($1, $2, $3, $4);

-- name: get_call
SELECT c.id, c.linkedid, c.state, c.direction, c.followup_task_id, c.customer_id,
       c.agent_id, c.callee_number, c.started_at, c.answered_at, c.ended_at, c.disposition,
       r.path AS recording_path, r.status AS recording_status,
       r.duration_ms AS recording_duration_ms
FROM calls c LEFT JOIN recordings r ON r.call_id = c.id
WHERE c.id = $1;

-- name: open_calls
SELECT id, linkedid, state, agent_id, followup_task_id, customer_id, callee_number,
       started_at
FROM calls WHERE ended_at IS NULL AND direction = 'outbound';

-- name: insert_recording
INSERT INTO recordings (call_id, path, format, size_bytes, duration_ms, sha256, status)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (path) DO NOTHING;

-- name: open_complaints_of_customer
SELECT id, first_contact_at, status FROM complaints
WHERE customer_id = $1 AND status NOT IN ('resolved', 'closed')
FOR UPDATE;

-- name: log_complaint_call
INSERT INTO complaint_events (complaint_id, actor_id, kind, call_id, note)
VALUES ($1, $2, 'call', $3, $4);

-- name: stamp_first_contact
UPDATE complaints
SET first_contact_at = $2, status = CASE WHEN status = 'open' THEN 'contacted' ELSE status END
WHERE id = $1 AND first_contact_at IS NULL;
