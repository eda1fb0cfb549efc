-- name: previous_day
-- The last day before $2 the rule $1 finished: the new window starts after it.
SELECT max(day) FROM scheduler_runs
WHERE rule = $1 AND day < $2 AND finished_at IS NOT NULL;

-- name: recompute_stale
-- $1 zone, $2 first km, $3 first months, $4 every km, $5 every months. The next
-- maintenance day of every vehicle marked stale, computed and saved in one statement:
-- domain/maintenance.py next_maintenance in SQL (tests/integration/test_maintenance_sql.py
-- holds the two to the same answers), so the first run on a database of 250,000
-- vehicles is one pass, not their histories shipped to Python and back. The stale rows
-- are locked so that an order imported meanwhile marks its vehicle stale again after
-- this transaction. Returns the vehicles computed.
WITH stale AS (
    SELECT id, COALESCE(delivery_date, sale_date) AS delivered
    FROM vehicles WHERE maintenance_stale FOR UPDATE
), service AS (
    SELECT DISTINCT ON (o.vehicle_id) o.vehicle_id,
           (o.settled_at AT TIME ZONE $1)::date AS day, COALESCE(o.mileage_km, -1) AS km
    FROM service_orders o JOIN stale s ON s.id = o.vehicle_id
    WHERE o.kind = 'maintenance'
    ORDER BY o.vehicle_id, o.settled_at DESC
), reading AS (
    SELECT DISTINCT ON (vehicle_id) vehicle_id, (at AT TIME ZONE $1)::date AS day, km
    FROM (SELECT o.vehicle_id, o.settled_at AS at, o.mileage_km AS km
          FROM service_orders o JOIN stale s ON s.id = o.vehicle_id
          WHERE o.mileage_km IS NOT NULL
          UNION ALL
          SELECT m.vehicle_id, m.read_at, m.km
          FROM vehicle_mileage_readings m JOIN stale s ON s.id = m.vehicle_id) known
    ORDER BY vehicle_id, at DESC
), target AS (
    -- by months: the first service after delivery, else the next after the last one;
    -- the km to reach (none when the last service's km is unknown); the average daily
    -- distance since delivery (none without a positive reading after delivery).
    SELECT s.id, s.delivered, sv.day AS service_day, r.day AS reading_day, r.km AS reading_km,
           CASE WHEN sv.day IS NULL THEN (s.delivered + make_interval(months => $3))::date
                ELSE (sv.day + make_interval(months => $5))::date END AS by_months,
           CASE WHEN sv.day IS NULL THEN $2::int
                WHEN sv.km >= 0 THEN sv.km + $4::int END AS target_km,
           CASE WHEN s.delivered IS NOT NULL AND r.km > 0 AND r.day > s.delivered
                THEN r.km::float8 / (r.day - s.delivered) END AS per_day
    FROM stale s
    LEFT JOIN service sv ON sv.vehicle_id = s.id
    LEFT JOIN reading r ON r.vehicle_id = s.id
), reached AS (
    -- the day the projected mileage reaches the target (km_reached)
    SELECT id, delivered, service_day, by_months,
           CASE WHEN target_km IS NULL OR reading_day IS NULL THEN NULL
                WHEN reading_km >= target_km THEN reading_day
                WHEN per_day IS NULL THEN NULL
                ELSE reading_day + ceil((target_km - reading_km) / per_day)::int
           END AS by_km
    FROM target
)
UPDATE vehicles v
SET maintenance_due = CASE
        WHEN x.service_day IS NULL AND x.delivered IS NULL THEN NULL
        WHEN x.by_km IS NULL THEN x.by_months
        -- a reading older than the last service says nothing before that service
        -- (GREATEST skips a NULL: no service, the km day as it is)
        ELSE LEAST(x.by_months, GREATEST(x.by_km, x.service_day))
    END,
    maintenance_stale = false
FROM reached x
WHERE v.id = x.id
RETURNING v.id;

-- name: vehicle_history
-- One vehicle's, for a reading told during a call ($1 vehicle, $2 zone).
SELECT v.id, v.customer_id, COALESCE(v.delivery_date, v.sale_date) AS delivered,
       sv.day AS service_day, sv.km AS service_km, r.day AS reading_day, r.km AS reading_km
FROM vehicles v
LEFT JOIN LATERAL (
    SELECT (o.settled_at AT TIME ZONE $2)::date AS day, COALESCE(o.mileage_km, -1) AS km
    FROM service_orders o WHERE o.vehicle_id = v.id AND o.kind = 'maintenance'
    ORDER BY o.settled_at DESC LIMIT 1) sv ON true
LEFT JOIN LATERAL (
    SELECT (at AT TIME ZONE $2)::date AS day, km
    FROM (SELECT o.settled_at AS at, o.mileage_km AS km FROM service_orders o
          WHERE o.vehicle_id = v.id AND o.mileage_km IS NOT NULL
          UNION ALL
          SELECT m.read_at, m.km FROM vehicle_mileage_readings m WHERE m.vehicle_id = v.id
         ) known ORDER BY at DESC LIMIT 1) r ON true
WHERE v.id = $1;

-- name: save_due
-- $1 ids, $2 due days (NULL: nothing dates it), $3 whether they stay stale (a reading
-- told during a call: the next daily run looks at the vehicle again for its reminder).
UPDATE vehicles v SET maintenance_due = x.due, maintenance_stale = $3
FROM unnest($1::bigint[], $2::date[]) AS x(id, due)
WHERE v.id = x.id;

-- name: customers_next_maintenance
-- $1 vehicle ids: their customers' next maintenance, the earliest of their vehicles'.
UPDATE customers c SET next_maintenance_date = m.due, updated_at = now()
FROM (SELECT customer_id, min(maintenance_due) AS due FROM vehicles
      WHERE customer_id IN (SELECT v.customer_id FROM unnest($1::bigint[]) AS x(id)
                            JOIN vehicles v ON v.id = x.id)
      GROUP BY customer_id) m
WHERE c.id = m.customer_id AND c.next_maintenance_date IS DISTINCT FROM m.due;

-- name: make_maintenance_reminders
-- $1 day, $2 days before the due day, $3 the previous day done, $4 vehicles whose due
-- day was just computed, $5 lookback days. Reminders whose call day falls after the
-- previous run up to $1, and those of vehicles just computed whose due day is at most
-- $5 days past; one per vehicle and due day (the source key), none while one is open.
-- (Joined to the ids as a set: "= ANY" of a long array is a comparison per element.)
WITH due AS (
    SELECT id FROM vehicles
    WHERE maintenance_due > $3::date + $2::int AND maintenance_due <= $1::date + $2::int
    UNION
    SELECT v.id FROM unnest($4::bigint[]) AS computed(id) JOIN vehicles v USING (id)
    WHERE v.maintenance_due BETWEEN $1::date - $5::int AND $1::date + $2::int
)
INSERT INTO followup_tasks (kind, source_key, customer_id, vehicle_id, due_date)
SELECT 'maintenance_reminder', 'maintenance:' || v.vin || ':' || v.maintenance_due::text,
       v.customer_id, v.id, GREATEST(v.maintenance_due - $2::int, $1::date)
FROM due JOIN vehicles v USING (id)
JOIN customers c ON c.id = v.customer_id
WHERE c.lost_contact_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM followup_tasks t
                  WHERE t.vehicle_id = v.id AND t.kind = 'maintenance_reminder'
                    AND t.status IN ('open', 'call_again'))
ON CONFLICT (source_key) DO NOTHING;

-- name: make_win_backs
-- $1 zone, $2 first and $3 last day of the last visits this run covers (a delivery or
-- a settled order is a visit). A customer whose last visit is in that range, with no
-- open win-back task and not lost, gets one, keyed by that last visit: never twice for
-- one absence. $4 the day the tasks are due.
WITH visits AS (
    SELECT o.customer_id, (o.settled_at AT TIME ZONE $1)::date AS day
    FROM service_orders o
    WHERE o.settled_at >= ($2::date::timestamp AT TIME ZONE $1)
      AND o.settled_at < (($3::date + 1)::timestamp AT TIME ZONE $1)
    UNION ALL
    SELECT v.customer_id, v.delivery_date FROM vehicles v
    WHERE v.delivery_date BETWEEN $2::date AND $3::date
), last_visits AS (
    SELECT customer_id, max(day) AS day FROM visits GROUP BY customer_id
)
INSERT INTO followup_tasks (kind, source_key, customer_id, due_date)
SELECT 'win_back', 'win_back:' || l.customer_id || ':' || l.day::text, l.customer_id, $4
FROM last_visits l
JOIN customers c ON c.id = l.customer_id
WHERE c.lost_contact_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM service_orders o WHERE o.customer_id = l.customer_id
                    AND o.settled_at >= (($3::date + 1)::timestamp AT TIME ZONE $1))
  AND NOT EXISTS (SELECT 1 FROM vehicles v WHERE v.customer_id = l.customer_id
                    AND v.delivery_date > $3::date)
  AND NOT EXISTS (SELECT 1 FROM followup_tasks t WHERE t.customer_id = l.customer_id
                    AND t.kind = 'win_back' AND t.status IN ('open', 'call_again'))
ON CONFLICT (source_key) DO NOTHING;

-- name: mark_lost_contact
-- $1 from, $2 until (the attempts' range), $3 how many last attempts of each phone.
-- Customers with a failed attempt in the range whose every phone's last $3 attempts
-- were all unreachable or a wrong number.
WITH candidates AS (
    SELECT DISTINCT t.customer_id
    FROM followup_attempts a JOIN followup_tasks t ON t.id = a.task_id
    WHERE a.attempted_at >= $1 AND a.attempted_at < $2
      AND a.result IN ('unreachable', 'wrong_number')
), phones AS (
    SELECT p.customer_id,
           (SELECT count(*) = $3 AND bool_and(last.result IN ('unreachable', 'wrong_number'))
            FROM (SELECT a.result FROM followup_attempts a
                  JOIN followup_tasks t ON t.id = a.task_id
                  JOIN calls ca ON ca.id = a.call_id
                  WHERE t.customer_id = p.customer_id AND ca.callee_number = p.e164
                    AND a.attempted_at < $2
                  ORDER BY a.attempted_at DESC LIMIT $3) last) AS dead
    FROM customer_phones p JOIN candidates USING (customer_id)
)
UPDATE customers c SET lost_contact_at = $2, updated_at = now()
FROM (SELECT customer_id FROM phones GROUP BY customer_id HAVING bool_and(dead)) lost
WHERE c.id = lost.customer_id AND c.lost_contact_at IS NULL;

-- name: lost_contact
-- The list for a mailed card, the latest first; a customer whose card was mailed has left it.
SELECT c.id, c.name, c.address, c.lost_contact_at,
       COALESCE((SELECT json_agg(p.e164 ORDER BY p.position, p.id)
                 FROM customer_phones p WHERE p.customer_id = c.id), '[]') AS phones
FROM customers c
WHERE c.lost_contact_at IS NOT NULL AND c.lost_contact_card_mailed_at IS NULL
ORDER BY c.lost_contact_at DESC, c.id
LIMIT 1000;

-- name: mark_card_mailed
-- $1 customer, $2 when, $3 by whom; no row: not on the list (or marked already).
UPDATE customers
SET lost_contact_card_mailed_at = $2, lost_contact_card_mailed_by = $3, updated_at = now()
WHERE id = $1 AND lost_contact_at IS NOT NULL AND lost_contact_card_mailed_at IS NULL
RETURNING lost_contact_card_mailed_at;

-- name: lost_contact_state
SELECT lost_contact_at, lost_contact_card_mailed_at FROM customers WHERE id = $1;

-- name: audit
INSERT INTO audit_log (actor_id, action, target_type, target_id, details)
VALUES ($1, $2, 'customer', $3, $4);

-- name: vehicle_for_reading
-- The vehicle, and whether $2 (a user) has an open task of its customer.
SELECT v.id, v.customer_id,
       EXISTS (SELECT 1 FROM followup_tasks t WHERE t.customer_id = v.customer_id
                 AND (t.assigned_to = $2 OR t.assigned_to IS NULL)
                 AND t.status IN ('open', 'call_again')) AS own_task
FROM vehicles v WHERE v.id = $1;

-- name: insert_reading
INSERT INTO vehicle_mileage_readings (vehicle_id, km, read_at, recorded_by)
VALUES ($1, $2, $3, $4)
RETURNING id;

-- name: set_vehicle_mileage
UPDATE vehicles SET mileage_km = $2 WHERE id = $1;

-- name: vehicle_due
SELECT v.maintenance_due, c.next_maintenance_date
FROM vehicles v JOIN customers c ON c.id = v.customer_id WHERE v.id = $1;
