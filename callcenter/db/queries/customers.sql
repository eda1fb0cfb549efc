-- name: profile
SELECT id, external_ref, name, gender, birthday, value_level, temperament, do_not_disturb,
       address, notes, next_maintenance_date
FROM customers WHERE id = $1;

-- name: phones
-- invalid: found to be a wrong number (migration 0018); shown, never called.
SELECT e164, label, invalid_at IS NOT NULL AS invalid
FROM customer_phones WHERE customer_id = $1 ORDER BY position, id;

-- name: vehicles
SELECT id, vin, plate, model, sale_date, delivery_date, mileage_km
FROM vehicles WHERE customer_id = $1 ORDER BY id;

-- name: service_orders
SELECT o.order_no, o.visit_no, o.kind, o.settled_at, o.advisor, o.mileage_km, o.amount,
       v.plate
FROM service_orders o JOIN vehicles v ON v.id = o.vehicle_id
WHERE o.customer_id = $1 ORDER BY o.settled_at DESC LIMIT 50;

-- name: followups
SELECT id, kind, status, due_date, attempts, answers, score, result, completed_at
FROM followup_tasks WHERE customer_id = $1 ORDER BY due_date DESC LIMIT 50;

-- name: complaints
SELECT id, source, severity, status, description, opened_at, first_contact_at,
       replied_at, management_reply_at, resolved_at, check_call_at
FROM complaints WHERE customer_id = $1 ORDER BY opened_at DESC LIMIT 50;

-- name: appointments
SELECT a.id, a.status, a.work_kind, a.channel, s.starts_at, v.plate
FROM appointments a
JOIN appointment_slots s ON s.id = a.slot_id
JOIN vehicles v ON v.id = a.vehicle_id
WHERE a.customer_id = $1 ORDER BY s.starts_at DESC LIMIT 20;

-- name: calls
SELECT c.id, c.direction, c.started_at, c.answered_at, c.ended_at, c.disposition,
       c.category, u.display_name AS agent, c.agent_id, r.id AS recording_id, r.status AS recording_status,
       r.duration_ms AS recording_duration_ms
FROM calls c
LEFT JOIN users u ON u.id = c.agent_id
LEFT JOIN recordings r ON r.call_id = c.id
WHERE c.customer_id = $1 ORDER BY c.started_at DESC LIMIT 20;
