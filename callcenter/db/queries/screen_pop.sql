-- name: customers_by_phone
SELECT DISTINCT customer_id FROM customer_phones WHERE e164 = $1 ORDER BY customer_id LIMIT 10;

-- name: pop_customer
SELECT id, name, value_level, temperament, do_not_disturb, next_maintenance_date
FROM customers WHERE id = $1;

-- name: pop_vehicles
SELECT id, plate, model, vin FROM vehicles WHERE customer_id = $1 ORDER BY id LIMIT 10;

-- name: pop_open_followups
SELECT id, kind, status, due_date, attempts FROM followup_tasks
WHERE customer_id = $1 AND status IN ('open', 'call_again') ORDER BY due_date LIMIT 10;

-- name: pop_open_complaints
SELECT id, source, severity, status, description, opened_at, first_contact_at, replied_at,
       management_reply_at, resolved_at, check_call_at
FROM complaints WHERE customer_id = $1 AND status <> 'closed' ORDER BY opened_at LIMIT 10;

-- name: pop_next_appointment
SELECT a.id, s.starts_at, a.work_kind, v.plate
FROM appointments a
JOIN appointment_slots s ON s.id = a.slot_id
JOIN vehicles v ON v.id = a.vehicle_id
WHERE a.customer_id = $1 AND a.status = 'booked' AND s.starts_at >= $2
ORDER BY s.starts_at LIMIT 1;

-- name: pop_last_calls
SELECT c.id, c.direction, c.started_at, c.disposition, c.category, r.id AS recording_id
FROM calls c LEFT JOIN recordings r ON r.call_id = c.id AND r.status = 'ready'
WHERE c.customer_id = $1 AND c.ended_at IS NOT NULL
ORDER BY c.started_at DESC LIMIT 5;
