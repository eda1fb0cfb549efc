-- name: insert_slots
-- $1/$2: starts and ends of the slots, $3 capacity. A slot that exists already (same
-- start, no advisor) is left as it is: creating slots twice is harmless.
INSERT INTO appointment_slots (starts_at, ends_at, capacity)
SELECT starts_at, ends_at, $3
FROM unnest($1::timestamptz[], $2::timestamptz[]) AS planned (starts_at, ends_at)
ON CONFLICT DO NOTHING
RETURNING id;

-- name: customer_by_phone
-- One number may belong to several customers (family, fleet): the first on record wins.
SELECT c.id, c.name, p.e164 AS phone
FROM customer_phones p
JOIN customers c ON c.id = p.customer_id
WHERE p.e164 = $1
ORDER BY p.position, c.id
LIMIT 1;

-- name: customers_by_plate_digits
-- Plates typed on a keypad lose their letters: at most two rows, so that an ambiguous
-- match can be told apart from a unique one.
SELECT DISTINCT c.id, c.name,
       (SELECT e164 FROM customer_phones p WHERE p.customer_id = c.id
        ORDER BY p.position, p.id LIMIT 1) AS phone
FROM vehicles v
JOIN customers c ON c.id = v.customer_id
WHERE regexp_replace(coalesce(v.plate, ''), '\D', '', 'g') = $1
LIMIT 2;

-- name: vehicles
SELECT id, coalesce(plate, '') AS plate FROM vehicles WHERE customer_id = $1 ORDER BY id;

-- name: free_days
-- Days (in time zone $3) with at least one slot not full, starting in [$1, $2).
SELECT DISTINCT (starts_at AT TIME ZONE $3)::date AS day
FROM appointment_slots
WHERE starts_at >= $1 AND starts_at < $2 AND booked < capacity
ORDER BY day;

-- name: free_slots
SELECT id, starts_at, ends_at
FROM appointment_slots
WHERE starts_at >= $1 AND starts_at < $2 AND booked < capacity
ORDER BY starts_at, id
LIMIT $3;

-- name: next_free_slot
-- The first slot not full after slot ($1 starts_at, $2 id), before $3.
SELECT id, starts_at, ends_at
FROM appointment_slots
WHERE (starts_at, id) > ($1, $2) AND starts_at < $3 AND booked < capacity
ORDER BY starts_at, id
LIMIT 1;

-- name: insert_appointment
-- The appointments_count trigger raises check_violation when the slot is full; the
-- vehicle must be the customer's own. The call is linked when the call tracker has
-- already recorded it.
INSERT INTO appointments (slot_id, customer_id, vehicle_id, work_kind, channel, call_id)
SELECT $1, v.customer_id, v.id, $3, $4, (SELECT id FROM calls WHERE linkedid = $5)
FROM vehicles v
WHERE v.id = $2
RETURNING id;

-- name: upcoming
SELECT a.id, a.status, s.id AS slot_id, s.starts_at, s.ends_at,
       v.id AS vehicle_id, coalesce(v.plate, '') AS plate
FROM appointments a
JOIN appointment_slots s ON s.id = a.slot_id
JOIN vehicles v ON v.id = a.vehicle_id
WHERE a.customer_id = $1 AND a.status = 'booked' AND s.starts_at >= $2
ORDER BY s.starts_at, a.id
LIMIT $3;

-- name: cancel
-- Only the customer's own booked appointment; the trigger frees its place.
UPDATE appointments
SET status = 'cancelled', cancelled_at = now()
WHERE id = $1 AND customer_id = $2 AND status = 'booked'
RETURNING id;
