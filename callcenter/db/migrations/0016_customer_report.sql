-- The customers report (docs/reports.md "Customers") reads summaries kept by triggers,
-- never the 300,000 customers: counts by value level, temperament, region, vehicle model
-- and delivery day; and, per day, how many customers enter or leave each visit grade
-- and each "lost for N months" state, so the figures as of any day are one prefix sum.

-- What the summaries were counted with: the center's zone (a visit's day) and the
-- version of the region tables that the server fills (callcenter/services/customer_report.py).
CREATE TABLE customer_report_state (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    tz       text,
    regions  text
);
INSERT INTO customer_report_state DEFAULT VALUES;

-- The province-level names (short forms: 广东, 内蒙古, 北京) an address starts with, and
-- the phone number prefixes (digits after the +: 86755, 861380013) the phonenumbers
-- geocoder knows, with their province. Both filled by the server from
-- domain/customer_report.py and the library's data, whenever their version changes.
CREATE TABLE region_names (
    name     text PRIMARY KEY,
    province text NOT NULL
);
CREATE TABLE phone_regions (
    prefix   text PRIMARY KEY,
    province text NOT NULL
);

-- The customer's province: from the address, else from the first phone (lowest
-- position). Kept by the triggers below as the address or the phones change.
ALTER TABLE customers ADD COLUMN region text;

-- PL/pgSQL rather than SQL functions: their plans are kept for the session, where a
-- nested SQL function is planned again on every call (the rebuild calls them per row).
CREATE FUNCTION region_of_address(address text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    bare text := btrim(coalesce(address, ''), E' \t\r\n\u3000');
    found text;
BEGIN
    IF bare LIKE '中华人民共和国%' THEN
        bare := ltrim(substr(bare, 8), E' \t\u3000');
    ELSIF bare LIKE '中国%' THEN
        bare := ltrim(substr(bare, 3), E' \t\u3000');
    END IF;
    -- The names are 2 to 8 characters (北京, 新疆维吾尔自治区): seven probes of the key.
    SELECT r.province INTO found
    FROM region_names r
    WHERE r.name IN (left(bare, 2), left(bare, 3), left(bare, 4), left(bare, 5),
                     left(bare, 6), left(bare, 7), left(bare, 8))
    ORDER BY length(r.name) DESC
    LIMIT 1;
    RETURN found;
END $$;

-- The longest prefix of the number's digits the geocoder knows: nine probes of the key.
CREATE FUNCTION region_of_phone(e164 text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    found text;
BEGIN
    SELECT r.province INTO found
    FROM phone_regions r
    WHERE r.prefix = ANY (ARRAY(SELECT left(substr(e164, 2), n) FROM generate_series(2, 10) n))
    ORDER BY length(r.prefix) DESC
    LIMIT 1;
    RETURN found;
END $$;

CREATE FUNCTION customer_region(customer bigint, address text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    first_phone text;
    found text := region_of_address(address);
BEGIN
    IF found IS NOT NULL THEN
        RETURN found;
    END IF;
    SELECT p.e164 INTO first_phone FROM customer_phones p
    WHERE p.customer_id = customer ORDER BY p.position, p.id LIMIT 1;
    RETURN region_of_phone(first_phone);
END $$;

-- A new customer has no phones yet: the address alone (their phones' trigger does the rest).
CREATE FUNCTION customer_region_of_address() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.region := region_of_address(NEW.address);
    RETURN NEW;
END $$;
CREATE TRIGGER customer_region_insert BEFORE INSERT ON customers
    FOR EACH ROW EXECUTE FUNCTION customer_region_of_address();

CREATE FUNCTION customer_region_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.region := customer_region(NEW.id, NEW.address);
    RETURN NEW;
END $$;
CREATE TRIGGER customer_region_update BEFORE UPDATE OF address ON customers
    FOR EACH ROW WHEN (OLD.address IS DISTINCT FROM NEW.address)
    EXECUTE FUNCTION customer_region_of_row();

-- Statement triggers: an import's phones move their customers' regions in one UPDATE
-- (a row trigger's UPDATE per phone would also run the group triggers once per phone).
CREATE FUNCTION customer_region_of_phones() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := ARRAY(SELECT DISTINCT customer_id FROM new_phones);
    ELSIF TG_OP = 'DELETE' THEN
        changed := ARRAY(SELECT DISTINCT customer_id FROM old_phones);
    ELSE
        changed := ARRAY(SELECT customer_id FROM old_phones
                         UNION SELECT customer_id FROM new_phones);
    END IF;
    UPDATE customers c SET region = x.region
    FROM (SELECT id, customer_region(id, address) AS region
          FROM customers WHERE id = ANY (changed)) x
    WHERE x.id = c.id AND c.region IS DISTINCT FROM x.region;
    RETURN NULL;
END $$;
CREATE TRIGGER customer_region_phones_insert AFTER INSERT ON customer_phones
    REFERENCING NEW TABLE AS new_phones
    FOR EACH STATEMENT EXECUTE FUNCTION customer_region_of_phones();
CREATE TRIGGER customer_region_phones_delete AFTER DELETE ON customer_phones
    REFERENCING OLD TABLE AS old_phones
    FOR EACH STATEMENT EXECUTE FUNCTION customer_region_of_phones();
CREATE TRIGGER customer_region_phones_update AFTER UPDATE ON customer_phones
    REFERENCING OLD TABLE AS old_phones NEW TABLE AS new_phones
    FOR EACH STATEMENT EXECUTE FUNCTION customer_region_of_phones();

-- Counts of customers ('all', 'value_level', 'temperament', 'region') and of vehicles
-- ('vehicles', 'model', 'delivered': the delivery day, else the sale day, ISO text);
-- value 'none' when unset.
CREATE TABLE report_customer_groups (
    dimension text NOT NULL,
    value     text NOT NULL,
    count     integer NOT NULL,
    PRIMARY KEY (dimension, value)
);

CREATE FUNCTION report_customer_group_rows(c customers)
RETURNS TABLE (dimension text, value text) LANGUAGE sql IMMUTABLE AS $$
    VALUES ('all', ''), ('value_level', c.value_level),
           ('temperament', coalesce(c.temperament, 'none')),
           ('region', coalesce(c.region, 'none'))
$$;

CREATE FUNCTION report_vehicle_group_rows(v vehicles)
RETURNS TABLE (dimension text, value text) LANGUAGE sql IMMUTABLE AS $$
    VALUES ('vehicles', ''), ('model', coalesce(nullif(btrim(v.model), ''), 'none')),
           ('delivered', coalesce(coalesce(v.delivery_date, v.sale_date)::text, 'none'))
$$;

-- Statement triggers: each statement's rows are summed once into the few group rows
-- (a row trigger upserting the same 'all' row once per row of a 100,000-customer import
-- made one transaction walk ever longer chains of that row's versions: minutes). An
-- update's old rows count -1 and its new rows +1, so what did not move cancels out.
CREATE FUNCTION report_customer_groups_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- A transition table exists only for the events that have it: read each where it does.
    old_customers customers[] := '{}';
    new_customers customers[] := '{}';
    old_vehicles vehicles[] := '{}';
    new_vehicles vehicles[] := '{}';
BEGIN
    IF current_setting('callcenter.customer_report_rebuild', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'customers' THEN
        IF TG_OP <> 'INSERT' THEN old_customers := ARRAY(SELECT o FROM old_rows o); END IF;
        IF TG_OP <> 'DELETE' THEN new_customers := ARRAY(SELECT n FROM new_rows n); END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN old_vehicles := ARRAY(SELECT o FROM old_rows o); END IF;
        IF TG_OP <> 'DELETE' THEN new_vehicles := ARRAY(SELECT n FROM new_rows n); END IF;
    END IF;
    INSERT INTO report_customer_groups AS g (dimension, value, count)
    SELECT x.dimension, x.value, sum(x.step)
    FROM (SELECT r.dimension, r.value, -1 AS step
          FROM unnest(old_customers) o, LATERAL report_customer_group_rows(o) r
          UNION ALL
          SELECT r.dimension, r.value, 1
          FROM unnest(new_customers) n, LATERAL report_customer_group_rows(n) r
          UNION ALL
          SELECT r.dimension, r.value, -1
          FROM unnest(old_vehicles) o, LATERAL report_vehicle_group_rows(o) r
          UNION ALL
          SELECT r.dimension, r.value, 1
          FROM unnest(new_vehicles) n, LATERAL report_vehicle_group_rows(n) r) x
    GROUP BY x.dimension, x.value
    HAVING sum(x.step) <> 0
    ON CONFLICT (dimension, value) DO UPDATE SET count = g.count + excluded.count;
    RETURN NULL;
END $$;
CREATE TRIGGER report_customer_groups_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_customer_groups_change();
CREATE TRIGGER report_customer_groups_delete AFTER DELETE ON customers
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_customer_groups_change();
CREATE TRIGGER report_customer_groups_update AFTER UPDATE ON customers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_customer_groups_change();
CREATE TRIGGER report_vehicle_groups_insert AFTER INSERT ON vehicles
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_customer_groups_change();
CREATE TRIGGER report_vehicle_groups_delete AFTER DELETE ON vehicles
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_customer_groups_change();
CREATE TRIGGER report_vehicle_groups_update AFTER UPDATE ON vehicles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_customer_groups_change();

-- Each customer's visits: a distinct visit_no of their service orders, on the day (in
-- the center's zone, report_local of migration 0014) its first order was settled.
CREATE TABLE customer_visits (
    customer_id bigint NOT NULL,
    visit_no    text NOT NULL,
    day         date NOT NULL,
    PRIMARY KEY (customer_id, visit_no)
);

-- How many customers enter (+) or leave (-) a state on a day; a state's count on a day
-- is the sum of its rows up to that day. Measures: 'grade:1', 'grade:2-3', 'grade:4+'
-- (visits in the 12 months up to the day; grade 0 is everyone else), and 'lost:N' (the
-- last visit up to the day was N months or more before it; N in report_lost_months()).
CREATE TABLE report_visit_events (
    measure   text NOT NULL,
    day       date NOT NULL,
    customers integer NOT NULL,
    PRIMARY KEY (measure, day)
);

-- The N a report may ask for (domain/customer_report.LOST_MONTHS, checked by a test).
CREATE FUNCTION report_lost_months() RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY[3, 6, 9, 12, 18, 24]
$$;

CREATE FUNCTION report_visit_grade(visits bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN visits <= 0 THEN '0' WHEN visits = 1 THEN '1'
                WHEN visits <= 3 THEN '2-3' ELSE '4+' END
$$;

-- Each customer's events, from their rows in customer_visits; one definition for the
-- triggers (WHERE customer_id = ..., which PostgreSQL pushes down to the customer's
-- rows: every window is partitioned by the customer) and for the rebuild (all of them).
-- A visit on day d counts in the 12-month windows of the days d .. d + 12 months - 1;
-- a customer is lost for N months from a visit's day + N months until their next visit.
CREATE VIEW report_visit_grades AS
SELECT customer_id, day, grade,
       lag(grade, 1, '0') OVER (PARTITION BY customer_id ORDER BY day) AS before
FROM (SELECT customer_id, day,
             report_visit_grade(sum(step) OVER (PARTITION BY customer_id ORDER BY day))
                 AS grade
      FROM (SELECT customer_id, day, sum(step)::integer AS step
            FROM (SELECT customer_id, day, 1 AS step FROM customer_visits
                  UNION ALL
                  SELECT customer_id, (day + interval '12 months')::date, -1
                  FROM customer_visits) AS changes
            GROUP BY customer_id, day) AS steps) AS graded;

CREATE VIEW report_visit_gaps AS
SELECT customer_id, n AS months, (day + make_interval(months => n))::date AS since, next
FROM (SELECT customer_id, day, lead(day) OVER (PARTITION BY customer_id ORDER BY day) AS next
      FROM (SELECT DISTINCT customer_id, day FROM customer_visits) AS days) AS gaps,
     unnest(report_lost_months()) AS n;

CREATE VIEW report_visit_event_rows AS
SELECT customer_id, 'grade:' || grade AS measure, day, 1 AS customers
FROM report_visit_grades WHERE grade <> before AND grade <> '0'
UNION ALL
SELECT customer_id, 'grade:' || before, day, -1
FROM report_visit_grades WHERE grade <> before AND before <> '0'
UNION ALL
SELECT customer_id, 'lost:' || months, since, 1
FROM report_visit_gaps WHERE next IS NULL OR since < next
UNION ALL
SELECT customer_id, 'lost:' || months, next, -1
FROM report_visit_gaps WHERE since < next;

-- The customers' visits again from their service orders, and the change of their
-- events (the old ones out, the new ones in, only the days whose sum moved), set-based:
-- an import's statement refreshes all its customers at once.
CREATE FUNCTION report_visits_refresh(changed bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    old report_visit_events[];
BEGIN
    IF cardinality(changed) = 0 THEN
        RETURN;
    END IF;
    -- one customer's orders written at once in two transactions: one after the other
    PERFORM pg_advisory_xact_lock(1668641396, (c % 2147483647)::integer)
    FROM unnest(changed) c ORDER BY c;
    old := ARRAY(SELECT ROW(e.measure, e.day, sum(e.customers))::report_visit_events
                 FROM report_visit_event_rows e WHERE e.customer_id = ANY (changed)
                 GROUP BY e.measure, e.day);
    DELETE FROM customer_visits WHERE customer_id = ANY (changed);
    INSERT INTO customer_visits (customer_id, visit_no, day)
    SELECT o.customer_id, o.visit_no, min(report_local(o.settled_at)::date)
    FROM service_orders o WHERE o.customer_id = ANY (changed)
    GROUP BY o.customer_id, o.visit_no;
    INSERT INTO report_visit_events AS r (measure, day, customers)
    SELECT x.measure, x.day, sum(x.customers)
    FROM (SELECT o.measure, o.day, -o.customers AS customers FROM unnest(old) o
          UNION ALL
          SELECT e.measure, e.day, e.customers FROM report_visit_event_rows e
          WHERE e.customer_id = ANY (changed)) x
    GROUP BY x.measure, x.day
    HAVING sum(x.customers) <> 0
    ON CONFLICT (measure, day) DO UPDATE SET customers = r.customers + excluded.customers;
END $$;

-- Statement triggers (transition tables take no column list: an update that moves no
-- order's customer, visit or settlement, such as a follow-up's followed_up_at, finds
-- no customer to refresh).
CREATE FUNCTION report_visits_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('callcenter.customer_report_rebuild', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM report_visits_refresh(ARRAY(SELECT DISTINCT customer_id FROM new_orders));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM report_visits_refresh(ARRAY(SELECT DISTINCT customer_id FROM old_orders));
    ELSE
        PERFORM report_visits_refresh(ARRAY(
            SELECT o.customer_id FROM old_orders o JOIN new_orders n USING (id)
            WHERE (o.customer_id, o.visit_no, o.settled_at)
                  IS DISTINCT FROM (n.customer_id, n.visit_no, n.settled_at)
            UNION
            SELECT n.customer_id FROM old_orders o JOIN new_orders n USING (id)
            WHERE (o.customer_id, o.visit_no, o.settled_at)
                  IS DISTINCT FROM (n.customer_id, n.visit_no, n.settled_at)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER report_visits_insert AFTER INSERT ON service_orders
    REFERENCING NEW TABLE AS new_orders
    FOR EACH STATEMENT EXECUTE FUNCTION report_visits_change();
CREATE TRIGGER report_visits_delete AFTER DELETE ON service_orders
    REFERENCING OLD TABLE AS old_orders
    FOR EACH STATEMENT EXECUTE FUNCTION report_visits_change();
CREATE TRIGGER report_visits_update AFTER UPDATE ON service_orders
    REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders
    FOR EACH STATEMENT EXECUTE FUNCTION report_visits_change();

-- The win-back calls completed, by the moment of completion (the lost customers'
-- figure "won back" reads them with the customer's next service order).
CREATE INDEX followup_tasks_win_back ON followup_tasks (completed_at)
    WHERE kind = 'win_back' AND status = 'completed';

-- Every region, group and visit event again from the rows, set-based, in ``zone``'s
-- days. Writers of customers, phones, vehicles and service orders wait meanwhile.
CREATE FUNCTION customer_report_rebuild(regions text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE customers, customer_phones, vehicles, service_orders IN SHARE MODE;
    PERFORM set_config('callcenter.customer_report_rebuild', 'on', true);
    UPDATE customers c SET region = x.region
    FROM (SELECT id, customer_region(id, address) AS region FROM customers) x
    WHERE x.id = c.id AND c.region IS DISTINCT FROM x.region;
    TRUNCATE report_customer_groups, customer_visits, report_visit_events;
    INSERT INTO report_customer_groups
    SELECT g.dimension, g.value, count(*)
    FROM customers c, LATERAL report_customer_group_rows(c) g GROUP BY 1, 2;
    INSERT INTO report_customer_groups
    SELECT g.dimension, g.value, count(*)
    FROM vehicles v, LATERAL report_vehicle_group_rows(v) g GROUP BY 1, 2;
    INSERT INTO customer_visits (customer_id, visit_no, day)
    SELECT customer_id, visit_no, min(report_local(settled_at)::date)
    FROM service_orders GROUP BY customer_id, visit_no;
    INSERT INTO report_visit_events
    SELECT e.measure, e.day, sum(e.customers) FROM report_visit_event_rows e
    GROUP BY 1, 2 HAVING sum(e.customers) <> 0;
    UPDATE customer_report_state SET tz = (SELECT tz FROM report_zone), regions = $1;
    PERFORM set_config('callcenter.customer_report_rebuild', 'off', true);
END $$;
