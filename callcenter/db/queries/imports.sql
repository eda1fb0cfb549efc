-- Spreadsheet imports: rows are COPYed into temporary staging tables, then merged with
-- one set-based statement per table. Every merge updates a row only when something in
-- it changes, so importing the same file twice rewrites nothing. A blank cell keeps the
-- stored value (the LEFT JOIN on the stored row): an import never erases what the
-- center already knows.

-- name: lock_imports
-- One import at a time: two files touching the same customers would otherwise race
-- between the reference checks and the merges.
SELECT pg_advisory_xact_lock(hashtext('callcenter.imports'));

-- name: create_customer_staging
CREATE TEMP TABLE import_customers (
    external_ref    text NOT NULL PRIMARY KEY,
    name            text NOT NULL,
    gender          text,
    birthday        date,
    value_level     text,
    temperament     text,
    do_not_disturb  boolean,
    address         text
) ON COMMIT DROP;
CREATE TEMP TABLE import_phones (
    external_ref  text NOT NULL,
    e164          text NOT NULL,
    position      smallint NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE import_vehicles (
    external_ref   text NOT NULL,
    vin            text NOT NULL PRIMARY KEY,
    plate          text,
    model          text,
    sale_date      date,
    delivery_date  date,
    mileage_km     integer,
    salesperson    text
) ON COMMIT DROP;

-- name: create_order_staging
CREATE TEMP TABLE import_orders (
    order_no     text NOT NULL PRIMARY KEY,
    visit_no     text NOT NULL,
    customer_id  bigint NOT NULL,
    vehicle_id   bigint NOT NULL,
    kind         text NOT NULL,
    opened_at    timestamptz,
    settled_at   timestamptz NOT NULL,
    advisor      text,
    mileage_km   integer,
    amount       numeric(12, 2)
) ON COMMIT DROP;

-- name: create_followup_staging
CREATE TEMP TABLE import_followups (
    kind         text NOT NULL,
    source_key   text NOT NULL PRIMARY KEY,
    customer_id  bigint NOT NULL,
    vehicle_id   bigint,
    visit_no     text,
    due_date     date NOT NULL
) ON COMMIT DROP;

-- name: analyze_customer_staging
-- Fresh temp tables have no statistics; the merges below join 100,000-row sets.
ANALYZE import_customers, import_phones, import_vehicles;

-- name: merge_customers
WITH merged AS (
    INSERT INTO customers AS c (external_ref, name, gender, birthday, value_level,
                                temperament, do_not_disturb, address)
    SELECT s.external_ref, s.name,
           COALESCE(s.gender, old.gender),
           COALESCE(s.birthday, old.birthday),
           COALESCE(s.value_level, old.value_level, 'normal'),
           COALESCE(s.temperament, old.temperament),
           COALESCE(s.do_not_disturb, old.do_not_disturb, false),
           COALESCE(s.address, old.address)
    FROM import_customers s
    LEFT JOIN customers old ON old.external_ref = s.external_ref
    ON CONFLICT (external_ref) DO UPDATE SET
        name = EXCLUDED.name, gender = EXCLUDED.gender, birthday = EXCLUDED.birthday,
        value_level = EXCLUDED.value_level, temperament = EXCLUDED.temperament,
        do_not_disturb = EXCLUDED.do_not_disturb, address = EXCLUDED.address,
        updated_at = now()
    WHERE (c.name, c.gender, c.birthday, c.value_level, c.temperament, c.do_not_disturb,
           c.address)
          IS DISTINCT FROM
          (EXCLUDED.name, EXCLUDED.gender, EXCLUDED.birthday, EXCLUDED.value_level,
           EXCLUDED.temperament, EXCLUDED.do_not_disturb, EXCLUDED.address)
    -- xmax is 0 only on a freshly inserted row version.
    RETURNING (xmax = 0) AS created
)
SELECT count(*) FILTER (WHERE created) AS created,
       count(*) FILTER (WHERE NOT created) AS updated
FROM merged;

-- name: merge_phones
-- Numbers are only ever added: phones that agents entered by hand stay.
WITH added AS (
    INSERT INTO customer_phones (customer_id, e164, position)
    SELECT c.id, s.e164, s.position
    FROM import_phones s
    JOIN customers c ON c.external_ref = s.external_ref
    ON CONFLICT (customer_id, e164) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM added;

-- name: merge_vehicles
WITH merged AS (
    INSERT INTO vehicles AS v (customer_id, vin, plate, model, sale_date, delivery_date,
                               mileage_km, salesperson)
    SELECT c.id, s.vin,
           COALESCE(s.plate, old.plate),
           COALESCE(s.model, old.model),
           COALESCE(s.sale_date, old.sale_date),
           COALESCE(s.delivery_date, old.delivery_date),
           COALESCE(s.mileage_km, old.mileage_km),
           COALESCE(s.salesperson, old.salesperson)
    FROM import_vehicles s
    JOIN customers c ON c.external_ref = s.external_ref
    LEFT JOIN vehicles old ON old.vin = s.vin
    ON CONFLICT (vin) DO UPDATE SET
        customer_id = EXCLUDED.customer_id, plate = EXCLUDED.plate, model = EXCLUDED.model,
        sale_date = EXCLUDED.sale_date, delivery_date = EXCLUDED.delivery_date,
        mileage_km = EXCLUDED.mileage_km, salesperson = EXCLUDED.salesperson
    WHERE (v.customer_id, v.plate, v.model, v.sale_date, v.delivery_date, v.mileage_km,
           v.salesperson)
          IS DISTINCT FROM
          (EXCLUDED.customer_id, EXCLUDED.plate, EXCLUDED.model, EXCLUDED.sale_date,
           EXCLUDED.delivery_date, EXCLUDED.mileage_km, EXCLUDED.salesperson)
    RETURNING (xmax = 0) AS created
)
SELECT count(*) FILTER (WHERE created) AS created,
       count(*) FILTER (WHERE NOT created) AS updated
FROM merged;

-- name: vehicle_sale_dates
-- The stored dates (after the merge) of the vehicles in the file, for their sales
-- follow-ups.
SELECT v.id, v.customer_id, v.vin, v.sale_date, v.delivery_date
FROM import_vehicles s
JOIN vehicles v ON v.vin = s.vin;

-- name: find_customers
SELECT external_ref, id FROM customers WHERE external_ref = ANY($1::text[]);

-- name: find_vehicles
SELECT v.vin, v.id, v.customer_id, c.external_ref
FROM vehicles v
JOIN customers c ON c.id = v.customer_id
WHERE v.vin = ANY($1::text[]);

-- name: analyze_order_staging
ANALYZE import_orders;

-- name: merge_orders
WITH merged AS (
    INSERT INTO service_orders AS o (order_no, visit_no, customer_id, vehicle_id, kind,
                                     opened_at, settled_at, advisor, mileage_km, amount)
    SELECT s.order_no, s.visit_no, s.customer_id, s.vehicle_id, s.kind,
           COALESCE(s.opened_at, old.opened_at), s.settled_at,
           COALESCE(s.advisor, old.advisor),
           COALESCE(s.mileage_km, old.mileage_km),
           COALESCE(s.amount, old.amount)
    FROM import_orders s
    LEFT JOIN service_orders old ON old.order_no = s.order_no
    ON CONFLICT (order_no) DO UPDATE SET
        visit_no = EXCLUDED.visit_no, customer_id = EXCLUDED.customer_id,
        vehicle_id = EXCLUDED.vehicle_id, kind = EXCLUDED.kind,
        opened_at = EXCLUDED.opened_at, settled_at = EXCLUDED.settled_at,
        advisor = EXCLUDED.advisor, mileage_km = EXCLUDED.mileage_km,
        amount = EXCLUDED.amount
    WHERE (o.visit_no, o.customer_id, o.vehicle_id, o.kind, o.opened_at, o.settled_at,
           o.advisor, o.mileage_km, o.amount)
          IS DISTINCT FROM
          (EXCLUDED.visit_no, EXCLUDED.customer_id, EXCLUDED.vehicle_id, EXCLUDED.kind,
           EXCLUDED.opened_at, EXCLUDED.settled_at, EXCLUDED.advisor, EXCLUDED.mileage_km,
           EXCLUDED.amount)
    RETURNING (xmax = 0) AS created
)
SELECT count(*) FILTER (WHERE created) AS created,
       count(*) FILTER (WHERE NOT created) AS updated
FROM merged;

-- name: latest_settlements
-- Per visit of the file: its latest settlement over every stored order of the visit
-- (orders imported earlier count too), with that order's customer and vehicle.
SELECT DISTINCT ON (o.visit_no) o.visit_no, o.customer_id, o.vehicle_id, o.settled_at
FROM service_orders o
WHERE o.visit_no IN (SELECT visit_no FROM import_orders)
ORDER BY o.visit_no, o.settled_at DESC;

-- name: merge_followups
-- A follow-up is never created twice (source_key is unique). An untouched one (still
-- open, never attempted) follows a corrected date; one already worked on is left alone.
WITH merged AS (
    INSERT INTO followup_tasks AS t (kind, source_key, customer_id, vehicle_id, visit_no,
                                     due_date)
    SELECT kind, source_key, customer_id, vehicle_id, visit_no, due_date
    FROM import_followups
    ON CONFLICT (source_key) DO UPDATE SET due_date = EXCLUDED.due_date
    WHERE t.status = 'open' AND t.attempts = 0 AND t.due_date <> EXCLUDED.due_date
    RETURNING (xmax = 0) AS created
)
SELECT count(*) FILTER (WHERE created) AS created,
       count(*) FILTER (WHERE NOT created) AS updated
FROM merged;
