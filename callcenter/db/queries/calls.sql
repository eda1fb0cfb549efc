-- Calls, outbound and inbound: their rows are written as each fact is known
-- (services/calls.py), so a restarted server can finish every call it did not see end.

-- name: insert_call
INSERT INTO calls (linkedid, direction, customer_id, agent_id, callee_number, started_at,
                   state, followup_task_id, category)
VALUES ($1, 'outbound', $2, $3, $4, $5, 'agent_ringing', $6, 'followup')
RETURNING id;

-- name: insert_complaint_call
INSERT INTO calls (linkedid, direction, customer_id, agent_id, callee_number, started_at,
                   state, category)
VALUES ($1, 'outbound', $2, $3, $4, $5, 'agent_ringing', 'complaint')
RETURNING id;

-- name: complaint_to_call
SELECT c.id, c.status, c.owner_id, cu.id AS customer_id, cu.name AS customer_name,
       COALESCE((SELECT json_agg(json_build_object('e164', p.e164, 'label', p.label,
                                                   'invalid', p.invalid_at IS NOT NULL)
                                 ORDER BY p.position, p.id)
                 FROM customer_phones p WHERE p.customer_id = cu.id), '[]') AS phones
FROM complaints c JOIN customers cu ON cu.id = c.customer_id
WHERE c.id = $1;

-- name: callback_to_call
-- An abandoned inbound call being called back: its customer, matched when it arrived.
SELECT c.id, c.customer_id, cu.name AS customer_name
FROM calls c LEFT JOIN customers cu ON cu.id = c.customer_id
WHERE c.id = $1 AND c.direction = 'inbound' AND c.disposition = 'abandoned';

-- name: insert_callback_call
INSERT INTO calls (linkedid, direction, customer_id, agent_id, callee_number, started_at,
                   state, callback_of)
VALUES ($1, 'outbound', $2, $3, $4, $5, 'agent_ringing', $6)
RETURNING id;

-- name: customer_to_call
-- A customer called from their card: DND, and the numbers (invalid: a wrong one).
SELECT cu.id, cu.name, cu.do_not_disturb,
       COALESCE((SELECT json_agg(json_build_object('e164', p.e164,
                                                   'invalid', p.invalid_at IS NOT NULL))
                 FROM customer_phones p WHERE p.customer_id = cu.id), '[]') AS phones
FROM customers cu WHERE cu.id = $1 FOR SHARE;

-- name: insert_customer_call
-- No category: the agent's wrap-up gives it, as for an inbound call.
INSERT INTO calls (linkedid, direction, customer_id, agent_id, callee_number, started_at,
                   state)
VALUES ($1, 'outbound', $2, $3, $4, $5, 'agent_ringing')
RETURNING id;

-- name: save_outbound
UPDATE calls
SET state = $2, agent_answered_at = $3, answered_at = $4, customer_uniqueid = $5,
    customer_channel = $6, updated_at = now()
WHERE id = $1 AND ended_at IS NULL;

-- name: set_recording_file
UPDATE calls SET recording_file = $2, updated_at = now() WHERE id = $1;

-- name: finish_call
UPDATE calls
SET state = 'ended', disposition = $2, answered_at = $3, ended_at = $4, ended_unseen = $5,
    agent_answered_at = COALESCE(agent_answered_at, $6), hangup_cause = $7,
    updated_at = now()
WHERE id = $1 AND ended_at IS NULL
RETURNING followup_task_id, customer_id, agent_id, answered_at, ended_at;

-- name: insert_leg
INSERT INTO call_legs (call_id, uniqueid, channel, role, created_at, answered_at, hungup_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (uniqueid) DO NOTHING;

-- name: get_call
SELECT c.id, c.linkedid, c.state, c.direction, c.followup_task_id, c.customer_id,
       c.agent_id, COALESCE(c.callee_number, c.caller_number) AS phone, c.ivr_choice,
       c.started_at, c.answered_at, c.ended_at, c.disposition,
       r.status AS recording_status, r.duration_ms AS recording_duration_ms
FROM calls c LEFT JOIN recordings r ON r.call_id = c.id
WHERE c.id = $1;

-- name: open_calls
SELECT id, linkedid, direction, state, agent_id, customer_id, followup_task_id,
       COALESCE(callee_number, caller_number) AS phone, ivr_choice, started_at,
       agent_answered_at, answered_at, customer_uniqueid, customer_channel,
       agent_interface, agent_uniqueid, recording_file, updated_at
FROM calls WHERE ended_at IS NULL;

-- name: insert_recording
INSERT INTO recordings (call_id, path, format, size_bytes, duration_ms, sha256, status)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (path) DO NOTHING;

-- name: insert_inbound_call
INSERT INTO calls (linkedid, direction, customer_id, caller_number, started_at, state)
VALUES ($1, 'inbound', $2, $3, $4, 'ivr')
ON CONFLICT (linkedid) DO UPDATE SET state = calls.state
RETURNING id;

-- name: inbound_queued
UPDATE calls SET state = 'queued', ivr_choice = $2, updated_at = now()
WHERE id = $1 AND ended_at IS NULL;

-- name: inbound_answered
UPDATE calls
SET agent_id = $2, answered_at = $3, agent_interface = $4, agent_uniqueid = $5,
    state = 'answered', updated_at = now()
WHERE id = $1 AND ended_at IS NULL;

-- name: inbound_ended
-- disposition: answered | abandoned | ivr (served or lost before the queue)
UPDATE calls
SET ended_at = $2, disposition = $3, ended_unseen = $4, answered_at = COALESCE(answered_at, $5),
    hangup_cause = $6, state = 'ended', updated_at = now()
WHERE id = $1 AND ended_at IS NULL
RETURNING customer_id, agent_id, answered_at;

-- name: user_by_extension
SELECT id FROM users WHERE extension = $1 AND active;

-- name: open_complaints_of_customer
SELECT id, first_contact_at, status FROM complaints
WHERE customer_id = $1 AND status NOT IN ('resolved', 'closed')
FOR UPDATE;

-- name: log_complaint_call
INSERT INTO complaint_events (complaint_id, actor_id, kind, call_id, note)
VALUES ($1, $2, 'call', $3, $4);

-- name: stamp_first_contact
-- The first answered call is the first contact: a step on the timeline, signed by the
-- agent who had the customer on the line.
WITH stamped AS (
    UPDATE complaints
    SET first_contact_at = $2, updated_at = $2,
        status = CASE WHEN status = 'open' THEN 'contacted' ELSE status END
    WHERE id = $1 AND first_contact_at IS NULL
    RETURNING id
)
INSERT INTO complaint_events (complaint_id, actor_id, kind, call_id, note, at)
SELECT id, $3, 'first_contact', $4, 'answered call', $2 FROM stamped;
