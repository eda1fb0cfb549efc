-- Complaints after the first contact: owner and department, reply, management reply,
-- resolution, the check call and escalation (domain/complaints.py, docs/complaints.md).

ALTER TABLE complaints
    ADD COLUMN department    text,
    ADD COLUMN resolution    text,
    ADD COLUMN compensation  text,
    ADD COLUMN updated_at    timestamptz NOT NULL DEFAULT now();

-- Complaints forwarded by the manufacturer are a source of their own.
ALTER TABLE complaints DROP CONSTRAINT complaints_source_check;
ALTER TABLE complaints ADD CONSTRAINT complaints_source_check CHECK (
    source IN ('followup', 'hotline', 'walk_in', 'online', 'manufacturer', 'other'));

-- Lists: mine, by state, overdue (open ones by opening time), by period (statistics).
CREATE INDEX complaints_owner ON complaints (owner_id, status);
CREATE INDEX complaints_opened_at ON complaints (opened_at);
-- A list's search: a name from its beginning, the last digits of a phone number, the
-- end of a plate (there is no pg_trgm to find text in the middle).
CREATE INDEX customers_name_prefix ON customers (name text_pattern_ops);
CREATE INDEX customer_phones_e164_suffix ON customer_phones (reverse(e164) text_pattern_ops);
CREATE INDEX vehicles_plate_suffix ON vehicles (reverse(upper(plate)) text_pattern_ops);

-- The timeline is the uniform record: each step is an entry signed by its user, with
-- what it carried (the reply, the resolution, the check call's answers). Corrections
-- are new entries; an entry never changes and is never removed.
ALTER TABLE complaint_events ADD COLUMN details jsonb;

CREATE FUNCTION complaint_events_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'complaint timeline entries are final (entry %)', OLD.id
        USING ERRCODE = 'check_violation';
END $$;

CREATE TRIGGER complaint_events_final
    BEFORE UPDATE OR DELETE ON complaint_events
    FOR EACH ROW EXECUTE FUNCTION complaint_events_are_final();

-- The check call is a follow-up task (kind complaint_check) of its complaint.
ALTER TABLE followup_tasks ADD COLUMN complaint_id bigint REFERENCES complaints;
CREATE INDEX followup_tasks_complaint ON followup_tasks (complaint_id)
    WHERE complaint_id IS NOT NULL;
-- Check-call satisfaction per week and month: the check calls completed in a period.
CREATE INDEX followup_tasks_check_calls ON followup_tasks (completed_at)
    WHERE kind = 'complaint_check';

-- A step that went overdue is escalated once: the row is the proof it was.
CREATE TABLE complaint_escalations (
    complaint_id  bigint NOT NULL REFERENCES complaints,
    step          text NOT NULL,
    notified_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (complaint_id, step)
);

-- Where the owner's overdue SMS goes.
ALTER TABLE users ADD COLUMN mobile text;
