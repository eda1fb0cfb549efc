-- Recordings as a searchable index (docs/recordings.md): each row carries copies of what
-- supervisors filter on (agent, customer, phone, follow-up, complaint, ...), so a search
-- over a million recordings reads one table through one index. The copies are refreshed
-- by 'index' jobs, which triggers on the source tables queue whenever they change.

ALTER TABLE recordings
    ADD COLUMN agent_id         bigint REFERENCES users,
    ADD COLUMN customer_id      bigint REFERENCES customers,
    ADD COLUMN vehicle_id       bigint REFERENCES vehicles,
    ADD COLUMN followup_task_id bigint REFERENCES followup_tasks,
    ADD COLUMN complaint_id     bigint REFERENCES complaints,
    ADD COLUMN direction        text,
    ADD COLUMN disposition      text,
    ADD COLUMN category         text,
    ADD COLUMN followup_kind    text,
    ADD COLUMN followup_result  text,
    ADD COLUMN started_at       timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN customer_name    text,
    ADD COLUMN phone            text,
    -- The phone's digits reversed: "ends with 8000" becomes the prefix search
    -- phone_rev LIKE '0008%', which a text_pattern_ops btree answers (no pg_trgm here).
    ADD COLUMN phone_rev        text,
    ADD COLUMN peaks            smallint[],
    ADD COLUMN original_sha256  text,
    ADD COLUMN transcript       text,
    -- Built from notes and transcript segmented into words (jieba for Chinese) with the
    -- 'simple' configuration: PostgreSQL's parsers cannot split Chinese themselves.
    ADD COLUMN search_tsv       tsvector,
    ADD COLUMN processed_at     timestamptz,
    ADD COLUMN last_error       text;

UPDATE recordings r SET started_at = COALESCE(c.started_at, r.created_at)
FROM calls c WHERE c.id = r.call_id;

CREATE INDEX recordings_started ON recordings (started_at DESC, id DESC);
CREATE INDEX recordings_agent ON recordings (agent_id, started_at DESC, id DESC);
CREATE INDEX recordings_customer ON recordings (customer_id, started_at DESC, id DESC);
CREATE INDEX recordings_phone_rev ON recordings (phone_rev text_pattern_ops);
CREATE INDEX recordings_phone ON recordings (phone text_pattern_ops);
CREATE INDEX recordings_customer_name ON recordings (customer_name text_pattern_ops);
CREATE INDEX recordings_followup ON recordings (followup_task_id);
CREATE INDEX recordings_complaint ON recordings (complaint_id) WHERE complaint_id IS NOT NULL;
CREATE INDEX recordings_search ON recordings USING gin (search_tsv);
CREATE INDEX recordings_retention ON recordings (started_at) WHERE status = 'ready';

-- The pipeline's queue. A job is claimed with a lease (locked_until): a worker that dies
-- mid-job leaves it to be claimed again once the lease runs out. One row per
-- (recording, kind): queuing twice is a no-op, and a finished job is deleted.
CREATE TABLE recording_jobs (
    id            bigserial PRIMARY KEY,
    recording_id  bigint NOT NULL REFERENCES recordings ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('process', 'transcribe', 'index')),
    run_after     timestamptz NOT NULL DEFAULT now(),
    locked_until  timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    -- Queued again while running: the running one may have read the old data, so the
    -- job runs once more instead of being deleted when it finishes.
    requeued      boolean NOT NULL DEFAULT false,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (recording_id, kind)
);
CREATE INDEX recording_jobs_due ON recording_jobs (run_after);

CREATE FUNCTION recording_job(rec bigint, job_kind text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO recording_jobs (recording_id, kind) VALUES (rec, job_kind)
    ON CONFLICT (recording_id, kind) DO UPDATE
        SET requeued = recording_jobs.locked_until IS NOT NULL;
$$;

-- A recording linked at the end of a call is processed; whoever inserts it needs to
-- know nothing about the pipeline.
CREATE FUNCTION recordings_queue_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'ready' AND NEW.format = 'wav' THEN
        PERFORM recording_job(NEW.id, 'process');
    END IF;
    PERFORM recording_job(NEW.id, 'index');
    RETURN NULL;
END $$;
CREATE TRIGGER recordings_queue AFTER INSERT ON recordings
    FOR EACH ROW EXECUTE FUNCTION recordings_queue_new();

-- Wrap-up notes, a follow-up outcome or a complaint arrive after the call ended:
-- re-index the call's recordings.
CREATE FUNCTION recordings_reindex_call() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'followup_tasks' THEN
        PERFORM recording_job(r.id, 'index')
        FROM calls c JOIN recordings r ON r.call_id = c.id
        WHERE c.followup_task_id = NEW.id;
    ELSE
        -- calls.id or complaints.call_id (to_jsonb: NEW has one of the two columns).
        PERFORM recording_job(r.id, 'index') FROM recordings r
        WHERE r.call_id = (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER calls_reindex_recordings
    AFTER UPDATE OF notes, category, disposition, customer_id, agent_id, flag_details ON calls
    FOR EACH ROW EXECUTE FUNCTION recordings_reindex_call('id');
CREATE TRIGGER followups_reindex_recordings
    AFTER UPDATE OF result, kind ON followup_tasks
    FOR EACH ROW EXECUTE FUNCTION recordings_reindex_call();
CREATE TRIGGER complaints_reindex_recordings
    AFTER INSERT OR UPDATE OF call_id, description ON complaints
    FOR EACH ROW EXECUTE FUNCTION recordings_reindex_call('call_id');
