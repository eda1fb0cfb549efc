-- name: lock_call
SELECT id, agent_id, customer_id, direction, ended_at, category
FROM calls WHERE id = $1 FOR UPDATE;

-- name: wrap_up
UPDATE calls
SET category = $2, notes = $3, flag = $4, flag_details = $5,
    customer_id = COALESCE(customer_id, $6),
    -- the first wrap-up ends the agent's wrap-up time (docs/reports.md)
    wrapped_up_at = COALESCE(wrapped_up_at, now())
WHERE id = $1;

-- name: customer_exists
SELECT EXISTS (SELECT 1 FROM customers WHERE id = $1);

-- name: open_complaint_ids
SELECT id FROM complaints WHERE customer_id = $1 AND status NOT IN ('resolved', 'closed');

-- name: complaint_note
INSERT INTO complaint_events (complaint_id, actor_id, kind, call_id, note)
VALUES ($1, $2, $3, $4, $5);

-- name: insert_complaint
INSERT INTO complaints (customer_id, call_id, source, severity, description, created_by)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: insert_customer
INSERT INTO customers (name) VALUES ($1) RETURNING id;

-- name: insert_phone
INSERT INTO customer_phones (customer_id, e164, label) VALUES ($1, $2, $3);
