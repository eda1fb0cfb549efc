-- The whole domain of DESIGN.md section 2. Rules that must hold under concurrency
-- (capacity, uniqueness, immutable questionnaire answers) are PostgreSQL's job.

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{2,64}$'),
    display_name  text NOT NULL,
    role          text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    password_hash text NOT NULL,
    extension     text UNIQUE CHECK (extension ~ '^[0-9]{2,8}$'),
    locale        text NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en')),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_sessions (
    token_hash  bytea PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

CREATE TABLE customers (
    id              bigserial PRIMARY KEY,
    -- The dealership's own customer number; what makes a re-import a no-op.
    external_ref    text UNIQUE,
    name            text NOT NULL CHECK (name <> ''),
    gender          text CHECK (gender IN ('male', 'female')),
    birthday        date,
    value_level     text NOT NULL DEFAULT 'normal' CHECK (value_level IN ('vip', 'key', 'normal')),
    temperament     text CHECK (temperament IN ('decisive', 'sociable', 'analytical', 'venting', 'cautious')),
    do_not_disturb  boolean NOT NULL DEFAULT false,
    address         text,
    notes           text,
    next_maintenance_date date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customer_phones (
    id           bigserial PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers ON DELETE CASCADE,
    e164         text NOT NULL CHECK (e164 ~ '^\+[1-9][0-9]{6,14}$'),
    label        text,
    position     smallint NOT NULL DEFAULT 0,
    UNIQUE (customer_id, e164)
);
-- Caller-ID matching: one number may belong to several customers (family, fleet).
CREATE INDEX customer_phones_e164 ON customer_phones (e164);

CREATE TABLE vehicles (
    id             bigserial PRIMARY KEY,
    customer_id    bigint NOT NULL REFERENCES customers ON DELETE CASCADE,
    vin            text NOT NULL UNIQUE CHECK (vin ~ '^[A-HJ-NPR-Z0-9]{17}$'),
    plate          text,
    model          text,
    sale_date      date,
    delivery_date  date,
    mileage_km     integer CHECK (mileage_km >= 0),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vehicles_customer ON vehicles (customer_id);
CREATE INDEX vehicles_plate ON vehicles (plate);

CREATE TABLE service_orders (
    id           bigserial PRIMARY KEY,
    order_no     text NOT NULL UNIQUE,
    -- One visit can produce several orders; one follow-up settles them all.
    visit_no     text NOT NULL,
    customer_id  bigint NOT NULL REFERENCES customers,
    vehicle_id   bigint NOT NULL REFERENCES vehicles,
    kind         text NOT NULL CHECK (kind IN ('maintenance', 'repair', 'warranty', 'accident', 'other')),
    opened_at    timestamptz,
    settled_at   timestamptz NOT NULL,
    advisor      text,
    mileage_km   integer CHECK (mileage_km >= 0),
    amount       numeric(12, 2) CHECK (amount >= 0),
    followed_up_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_orders_visit ON service_orders (visit_no);
CREATE INDEX service_orders_customer ON service_orders (customer_id, settled_at DESC);

CREATE TABLE questionnaire_templates (
    id         bigserial PRIMARY KEY,
    kind       text NOT NULL,
    version    integer NOT NULL,
    title      jsonb NOT NULL,                 -- {"zh-CN": ..., "en": ...}
    questions  jsonb NOT NULL CHECK (jsonb_typeof(questions) = 'array'),
    -- A total below this (or any question scored at or below its own floor) is dissatisfied.
    pass_score numeric(6, 2) NOT NULL,
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, version)
);
CREATE UNIQUE INDEX questionnaire_templates_one_active
    ON questionnaire_templates (kind) WHERE active;

CREATE TABLE advisors (
    id      bigserial PRIMARY KEY,
    name    text NOT NULL UNIQUE,
    active  boolean NOT NULL DEFAULT true
);

CREATE TABLE calls (
    id               bigserial PRIMARY KEY,
    -- Asterisk's Linkedid: every channel of one call shares it.
    linkedid         text NOT NULL UNIQUE,
    direction        text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    customer_id      bigint REFERENCES customers,
    agent_id         bigint REFERENCES users,
    caller_number    text,
    callee_number    text,
    started_at       timestamptz NOT NULL,
    answered_at      timestamptz,
    ended_at         timestamptz,
    disposition      text CHECK (disposition IN (
                         'answered', 'busy', 'no_answer', 'unreachable', 'failed',
                         'abandoned', 'agent_no_answer', 'wrong_number')),
    hangup_cause     integer,
    category         text CHECK (category IN ('inquiry', 'complaint', 'appointment', 'followup', 'other')),
    notes            text,
    flag             text CHECK (flag IN ('nuisance', 'threat')),
    flag_details     text,
    ivr_choice       text,
    followup_task_id bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX calls_customer ON calls (customer_id, started_at DESC);
CREATE INDEX calls_agent ON calls (agent_id, started_at DESC);
CREATE INDEX calls_started ON calls (started_at DESC);

CREATE TABLE call_legs (
    id           bigserial PRIMARY KEY,
    call_id      bigint NOT NULL REFERENCES calls ON DELETE CASCADE,
    uniqueid     text NOT NULL UNIQUE,
    channel      text NOT NULL,
    role         text NOT NULL CHECK (role IN ('agent', 'customer', 'caller', 'other')),
    created_at   timestamptz NOT NULL,
    answered_at  timestamptz,
    hungup_at    timestamptz,
    hangup_cause integer
);
CREATE INDEX call_legs_call ON call_legs (call_id);

CREATE TABLE call_events (
    id       bigserial PRIMARY KEY,
    call_id  bigint NOT NULL REFERENCES calls ON DELETE CASCADE,
    at       timestamptz NOT NULL,
    kind     text NOT NULL,
    data     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX call_events_call ON call_events (call_id, at);

CREATE TABLE followup_tasks (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN (
                         'sales', 'service', 'maintenance_reminder', 'win_back',
                         'dormant_prospect', 'complaint_check')),
    -- What the task is about, as a key: 'sales:<VIN>', 'service:<visit_no>'.
    -- Unique, so importing the same sale or visit twice never makes two tasks.
    source_key       text NOT NULL UNIQUE,
    customer_id      bigint NOT NULL REFERENCES customers,
    vehicle_id       bigint REFERENCES vehicles,
    visit_no         text,
    due_date         date NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN (
                         'open', 'call_again', 'completed', 'unreachable', 'sms', 'cancelled')),
    assigned_to      bigint REFERENCES users,
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz,
    template_id      bigint REFERENCES questionnaire_templates,
    answers          jsonb,
    score            numeric(6, 2),
    result           text CHECK (result IN ('satisfied', 'dissatisfied')),
    completed_at     timestamptz,
    completed_by     bigint REFERENCES users,
    call_id          bigint REFERENCES calls,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'completed') = (result IS NOT NULL AND completed_at IS NOT NULL))
);
CREATE INDEX followup_tasks_worklist ON followup_tasks (assigned_to, status, due_date);
CREATE INDEX followup_tasks_due ON followup_tasks (status, due_date);
CREATE INDEX followup_tasks_customer ON followup_tasks (customer_id);

ALTER TABLE calls ADD FOREIGN KEY (followup_task_id) REFERENCES followup_tasks;

-- The original answers are kept unchanged for evaluation: once a result is written,
-- answers, score and result can never change.
CREATE FUNCTION followup_answers_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.result IS NOT NULL AND (
        NEW.answers IS DISTINCT FROM OLD.answers OR
        NEW.score IS DISTINCT FROM OLD.score OR
        NEW.result IS DISTINCT FROM OLD.result) THEN
        RAISE EXCEPTION 'follow-up % answers are final', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER followup_answers_final BEFORE UPDATE ON followup_tasks
    FOR EACH ROW EXECUTE FUNCTION followup_answers_are_final();

CREATE TABLE followup_attempts (
    id            bigserial PRIMARY KEY,
    task_id       bigint NOT NULL REFERENCES followup_tasks ON DELETE CASCADE,
    call_id       bigint REFERENCES calls,
    agent_id      bigint REFERENCES users,
    attempted_at  timestamptz NOT NULL DEFAULT now(),
    result        text NOT NULL CHECK (result IN (
                      'answered', 'busy', 'no_answer', 'unreachable', 'wrong_number',
                      'agent_no_answer', 'failed')),
    UNIQUE (task_id, call_id)
);

CREATE TABLE complaints (
    id                   bigserial PRIMARY KEY,
    customer_id          bigint NOT NULL REFERENCES customers,
    call_id              bigint REFERENCES calls,
    followup_task_id     bigint REFERENCES followup_tasks,
    source               text NOT NULL CHECK (source IN ('followup', 'hotline', 'walk_in', 'online', 'other')),
    severity             text NOT NULL DEFAULT 'normal' CHECK (severity IN ('normal', 'major')),
    category             text,
    description          text NOT NULL,
    owner_id             bigint REFERENCES users,
    status               text NOT NULL DEFAULT 'open' CHECK (status IN (
                             'open', 'contacted', 'replied', 'resolved', 'closed')),
    -- The 2-1-2-3 rule's clock: contact within 2 h, reply within 1 day, management
    -- reply within 2 days (major), check call within 3 days of resolution.
    opened_at            timestamptz NOT NULL DEFAULT now(),
    first_contact_at     timestamptz,
    replied_at           timestamptz,
    management_reply_at  timestamptz,
    resolved_at          timestamptz,
    check_call_at        timestamptz,
    closed_at            timestamptz,
    created_by           bigint REFERENCES users
);
CREATE INDEX complaints_customer ON complaints (customer_id);
CREATE INDEX complaints_open ON complaints (status, opened_at) WHERE status <> 'closed';

CREATE TABLE complaint_events (
    id            bigserial PRIMARY KEY,
    complaint_id  bigint NOT NULL REFERENCES complaints ON DELETE CASCADE,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_id      bigint REFERENCES users,
    kind          text NOT NULL,
    call_id       bigint REFERENCES calls,
    note          text
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, at);

CREATE TABLE appointment_slots (
    id          bigserial PRIMARY KEY,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    advisor_id  bigint REFERENCES advisors,
    capacity    integer NOT NULL CHECK (capacity > 0),
    -- Kept by the trigger below; the CHECK is what refuses an overbooking,
    -- whichever code path inserts the appointment.
    booked      integer NOT NULL DEFAULT 0,
    CHECK (booked >= 0 AND booked <= capacity),
    CHECK (ends_at > starts_at)
);
CREATE UNIQUE INDEX appointment_slots_unique
    ON appointment_slots (starts_at, COALESCE(advisor_id, 0));

CREATE TABLE appointments (
    id           bigserial PRIMARY KEY,
    slot_id      bigint NOT NULL REFERENCES appointment_slots,
    customer_id  bigint NOT NULL REFERENCES customers,
    vehicle_id   bigint NOT NULL REFERENCES vehicles,
    work_kind    text NOT NULL CHECK (work_kind IN ('maintenance', 'repair', 'warranty', 'inspection', 'other')),
    channel      text NOT NULL CHECK (channel IN ('ivr', 'agent', 'walk_in', 'online')),
    status       text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'done', 'no_show')),
    call_id      bigint REFERENCES calls,
    booked_by    bigint REFERENCES users,
    notes        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz
);
CREATE UNIQUE INDEX appointments_one_per_vehicle_slot
    ON appointments (slot_id, vehicle_id) WHERE status = 'booked';
CREATE INDEX appointments_customer ON appointments (customer_id);

CREATE FUNCTION appointment_slot_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'booked' THEN
        UPDATE appointment_slots SET booked = booked - 1 WHERE id = OLD.slot_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'booked' THEN
        UPDATE appointment_slots SET booked = booked + 1 WHERE id = NEW.slot_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER appointments_count AFTER INSERT OR UPDATE OF status, slot_id OR DELETE
    ON appointments FOR EACH ROW EXECUTE FUNCTION appointment_slot_count();

CREATE TABLE recordings (
    id           bigserial PRIMARY KEY,
    call_id      bigint REFERENCES calls,
    path         text NOT NULL UNIQUE,
    format       text NOT NULL,
    size_bytes   bigint CHECK (size_bytes >= 0),
    duration_ms  integer CHECK (duration_ms >= 0),
    sha256       text,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN (
                     'pending', 'ready', 'missing', 'failed', 'purged')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    purged_at    timestamptz
);
CREATE INDEX recordings_call ON recordings (call_id);

CREATE TABLE ivr_sessions (
    id             bigserial PRIMARY KEY,
    uniqueid       text NOT NULL UNIQUE,
    linkedid       text,
    call_id        bigint REFERENCES calls,
    caller_number  text,
    customer_id    bigint REFERENCES customers,
    started_at     timestamptz NOT NULL DEFAULT now(),
    ended_at       timestamptz,
    path           text[] NOT NULL DEFAULT '{}',
    result         text
);
CREATE INDEX ivr_sessions_linkedid ON ivr_sessions (linkedid);

CREATE TABLE sms_outbox (
    id               bigserial PRIMARY KEY,
    customer_id      bigint REFERENCES customers,
    phone            text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    kind             text NOT NULL,
    body             text NOT NULL,
    -- Whatever caused the message (a task, an appointment); one message per cause.
    dedupe_key       text UNIQUE,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX sms_outbox_due ON sms_outbox (next_attempt_at) WHERE status = 'pending';

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint REFERENCES users,
    action       text NOT NULL,
    target_type  text,
    target_id    text,
    remote_addr  text,
    details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
