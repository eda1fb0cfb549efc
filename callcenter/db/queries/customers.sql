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

-- Customer search (migration 0019, docs/customers.md): each shape gives the ids of at
-- most N customers (its last parameter) in its own order, from its own index;
-- search_results reads the rows.

-- name: search_phone_ends
-- The numbers that end with the digits ($1: reversed, as a LIKE prefix), in number order.
SELECT customer_id FROM customer_phones
WHERE reverse(e164) LIKE $1
ORDER BY reverse(e164), customer_id
LIMIT $2;

-- name: search_phone_digits
-- Numbers holding the digits $1 anywhere (national_digits: as people read them), the
-- whole number first, then the ends. At most 1,000 candidates are ranked: a run shared
-- by more numbers (an area code) needs more digits, and the page says there are more.
SELECT customer_id FROM (
    SELECT customer_id, national_digits FROM customer_phones
    WHERE digit_grams(national_digits) @> array_remove(digit_grams($1), NULL)
      AND national_digits LIKE '%' || $1 || '%'
    LIMIT 1000) AS candidates
ORDER BY national_digits <> $1, national_digits NOT LIKE '%' || $1, customer_id
LIMIT $2;

-- name: search_plate_ends
-- Plates that end with the digits ($1: reversed, as a LIKE prefix).
SELECT customer_id FROM vehicles
WHERE reverse(upper(plate)) LIKE $1
ORDER BY reverse(upper(plate)), customer_id
LIMIT $2;

-- name: search_plates
-- Plates that start with $1 once their province and separators are left out; $2 (the
-- province and the same start, a LIKE prefix, or NULL) keeps one province's.
SELECT customer_id FROM vehicles
WHERE plate IS NOT NULL AND plate_bare(plate) LIKE $1
  AND ($2::text IS NULL OR plate_key(plate) LIKE $2)
ORDER BY plate_bare(plate), customer_id
LIMIT $3;

-- name: search_vins
-- VINs that end with the characters ($1: reversed, as a LIKE prefix).
SELECT customer_id FROM vehicles
WHERE reverse(vin) LIKE $1
ORDER BY reverse(vin), customer_id
LIMIT $2;

-- name: search_names
-- Names that start with $1 (a LIKE prefix), in name order.
SELECT id AS customer_id FROM customers
WHERE name LIKE $1
ORDER BY name USING ~<~, id
LIMIT $2;

-- name: search_results
-- The customers $1, in that order, as a search lists them; a phone's "invalid" is the
-- wrong-number mark (migration 0018), as on the card.
SELECT c.id, c.name, c.value_level, c.do_not_disturb,
       COALESCE((SELECT json_agg(json_build_object(
                            'e164', p.e164, 'label', p.label, 'invalid', p.invalid_at IS NOT NULL)
                        ORDER BY p.position, p.id)
                 FROM customer_phones p WHERE p.customer_id = c.id), '[]') AS phones,
       COALESCE((SELECT json_agg(json_build_object('plate', v.plate, 'model', v.model,
                                                   'vin', v.vin) ORDER BY v.id)
                 FROM vehicles v WHERE v.customer_id = c.id), '[]') AS vehicles,
       (SELECT count(*) FROM followup_tasks f
        WHERE f.customer_id = c.id AND f.status IN ('open', 'call_again')) AS open_tasks
FROM unnest($1::bigint[]) WITH ORDINALITY AS wanted (id, position)
JOIN customers c ON c.id = wanted.id
ORDER BY wanted.position;
