-- The daily scheduler (docs/scheduler.md): its ledger and run log, and what its rules
-- read (maintenance reminders, win-back, lost contact).

-- One row per rule and day of the center's zone. The primary key is what makes a day's
-- work happen once across restarts and servers: a rule's work and its finished row
-- commit together; a failed attempt leaves the row unfinished with its error, retried
-- on the next wake.
CREATE TABLE scheduler_runs (
    rule         text NOT NULL CHECK (rule ~ '^[a-z][a-z0-9_]{0,63}$'),
    day          date NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    made         integer CHECK (made >= 0),
    error        text,
    failures     integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    PRIMARY KEY (rule, day),
    CHECK ((finished_at IS NULL) = (made IS NULL))
);
CREATE INDEX scheduler_runs_day ON scheduler_runs (day);

-- Mileage a customer told during a call (the last visit's is on its service order).
CREATE TABLE vehicle_mileage_readings (
    id           bigserial PRIMARY KEY,
    vehicle_id   bigint NOT NULL REFERENCES vehicles ON DELETE CASCADE,
    km           integer NOT NULL CHECK (km >= 0 AND km <= 2000000),
    read_at      timestamptz NOT NULL,
    recorded_by  bigint REFERENCES users,
    task_id      bigint REFERENCES followup_tasks
);
CREATE INDEX vehicle_mileage_readings_vehicle ON vehicle_mileage_readings (vehicle_id, read_at DESC);

-- The vehicle's next maintenance day by domain/maintenance.py, recomputed when what it
-- is computed from changes (the triggers below mark the vehicle stale), so the daily
-- rule reads an index instead of every vehicle's history.
ALTER TABLE vehicles
    ADD COLUMN maintenance_due date,
    ADD COLUMN maintenance_stale boolean NOT NULL DEFAULT true;
CREATE INDEX vehicles_maintenance_due ON vehicles (maintenance_due);
CREATE INDEX vehicles_maintenance_stale ON vehicles (id) WHERE maintenance_stale;
CREATE INDEX vehicles_delivery ON vehicles (delivery_date);

CREATE FUNCTION vehicles_maintenance_inputs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.maintenance_stale := true;
    RETURN NEW;
END $$;
CREATE TRIGGER vehicles_maintenance_stale BEFORE UPDATE OF delivery_date, sale_date, mileage_km
    ON vehicles FOR EACH ROW
    WHEN (OLD.delivery_date IS DISTINCT FROM NEW.delivery_date
          OR OLD.sale_date IS DISTINCT FROM NEW.sale_date
          OR OLD.mileage_km IS DISTINCT FROM NEW.mileage_km)
    EXECUTE FUNCTION vehicles_maintenance_inputs_changed();

-- Statement-level: an import of thousands of orders costs one UPDATE, not one per row.
CREATE FUNCTION service_orders_mark_vehicles_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE vehicles v SET maintenance_stale = true
    FROM (SELECT DISTINCT vehicle_id FROM changed_orders) o
    WHERE v.id = o.vehicle_id AND NOT v.maintenance_stale;
    RETURN NULL;
END $$;
CREATE TRIGGER service_orders_inserted_stale AFTER INSERT ON service_orders
    REFERENCING NEW TABLE AS changed_orders
    FOR EACH STATEMENT EXECUTE FUNCTION service_orders_mark_vehicles_stale();
CREATE TRIGGER service_orders_updated_stale AFTER UPDATE ON service_orders
    REFERENCING NEW TABLE AS changed_orders
    FOR EACH STATEMENT EXECUTE FUNCTION service_orders_mark_vehicles_stale();

-- Win-back reads the last visit of customers around one day; lost contact the day's
-- failed attempts.
CREATE INDEX service_orders_settled ON service_orders (settled_at);
CREATE INDEX followup_attempts_at ON followup_attempts (attempted_at);
CREATE INDEX followup_tasks_vehicle_kind ON followup_tasks (vehicle_id, kind);

-- Set by the lost-contact rule: every phone failed, a card is mailed instead of calls.
ALTER TABLE customers ADD COLUMN lost_contact_at timestamptz;
CREATE INDEX customers_lost_contact ON customers (lost_contact_at) WHERE lost_contact_at IS NOT NULL;

-- The questionnaires of the two kinds of call the scheduler makes (format: 0003).
INSERT INTO questionnaire_templates (kind, version, title, questions, pass_score) VALUES
('win_back', 1,
 $json${"zh-CN": "流失客户回访", "en": "Win-back call"}$json$,
 $json$[
  {"id": "q1", "max": 10, "floor": 3, "text": {
    "zh-CN": "您很久没有回店了，请问主要原因是什么？（记在备注中）您再次选择我店保养的可能性有多大？（0到10分）",
    "en": "You have not visited us for a long time: what is the main reason? (write it in the notes) How likely are you to service your car with us again? (0 to 10)"}},
  {"id": "q2", "max": 10, "floor": 6, "text": {
    "zh-CN": "您对我店展厅和维修区的环境与设施打几分？",
    "en": "How would you rate our showroom and workshop, their comfort and facilities?"}},
  {"id": "q3", "max": 10, "floor": 6, "text": {
    "zh-CN": "您对我店销售和服务人员的态度与专业程度打几分？",
    "en": "How would you rate the attitude and competence of our sales and service staff?"}},
  {"id": "q4", "max": 10, "floor": 6, "text": {
    "zh-CN": "您对我店价格和收费的透明度打几分？",
    "en": "How would you rate how clear and fair our prices and charges are?"}}
 ]$json$,
 28),
('maintenance_reminder', 1,
 $json${"zh-CN": "保养提醒", "en": "Maintenance reminder"}$json$,
 $json$[
  {"id": "q1", "max": 10, "floor": 0, "text": {
    "zh-CN": "您的爱车即将到保养时间，请问本次提醒对您有帮助吗？（0到10分；预约请在下方预约）",
    "en": "Your car's maintenance is coming up: how helpful is this reminder to you? (0 to 10; book the visit below)"}}
 ]$json$,
 1);
