-- name: booking_subject
-- The customer, their vehicle and the slot an agent is booking, or nothing when the
-- vehicle is not the customer's or the slot does not exist.
SELECT c.id AS customer_id, c.name,
       (SELECT e164 FROM customer_phones p WHERE p.customer_id = c.id
        ORDER BY p.position, p.id LIMIT 1) AS phone,
       v.id AS vehicle_id, coalesce(v.plate, '') AS plate,
       s.id AS slot_id, s.starts_at, s.ends_at
FROM customers c
JOIN vehicles v ON v.customer_id = c.id AND v.id = $2
JOIN appointment_slots s ON s.id = $3
WHERE c.id = $1;

-- name: call_linkedid
SELECT linkedid FROM calls WHERE id = $1;
