-- Management reports (docs/reports.md) read summaries, never a year of rows: each
-- summary row holds the sums of one day and one key, kept by triggers as the rows they
-- sum change (a changed row takes its old contribution out and puts its new one in), so
-- a report over a year reads at most 366 days of small rows.
--
-- Each contribution is one SQL function of a row (report_*_rows) used both by the
-- triggers and by reports_rebuild(), which sums every row at once: the same definition
-- whichever way the summary was made.

-- The center's time zone, which decides a row's day and hour. The server writes its
-- CALLCENTER_TIMEZONE here at start (reports_set_zone), which rebuilds the summaries
-- when it changed.
CREATE TABLE report_zone (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    tz       text NOT NULL
);
INSERT INTO report_zone (tz) VALUES ('Asia/Shanghai');

-- Follow-up tasks by the day they are due (agent_id 0: nobody): the completion report.
CREATE TABLE report_followups (
    due_date           date NOT NULL,
    kind               text NOT NULL,
    agent_id           bigint NOT NULL,  -- who completed it, else to whom it is assigned
    due                integer NOT NULL,
    in_time            integer NOT NULL,
    late               integer NOT NULL,
    unreachable        integer NOT NULL,
    sms                integer NOT NULL,
    pending            integer NOT NULL,  -- open or call again
    completed_attempts integer NOT NULL,  -- the attempts of the completed ones
    PRIMARY KEY (due_date, kind, agent_id)
);

-- Completed follow-ups by the day they were completed: the agents' figures.
CREATE TABLE report_completions (
    day        date NOT NULL,
    agent_id   bigint NOT NULL,
    kind       text NOT NULL,
    completed  integer NOT NULL,
    score_sum  numeric NOT NULL,
    score_max  numeric NOT NULL,  -- the sum of their questionnaires' highest scores
    PRIMARY KEY (day, agent_id, kind)
);

-- Follow-up call attempts by the day they were made and the agent who made them.
CREATE TABLE report_attempts (
    day       date NOT NULL,
    kind      text NOT NULL,
    agent_id  bigint NOT NULL,
    attempts  integer NOT NULL,
    answered  integer NOT NULL,
    PRIMARY KEY (day, kind, agent_id)
);

-- When the agent wrapped the call up (first submitted its category and notes): the
-- agents' wrap-up time is from the call's end to this.
ALTER TABLE calls ADD COLUMN wrapped_up_at timestamptz;

-- Ended calls by the day they started, their direction, and one dimension's value:
-- 'all' (value ''), 'category', 'disposition' (value 'none' when unset), 'hour' (the
-- hour of day, '0'..'23'), 'agent' (the agent's id, '0' for none).
CREATE TABLE report_calls (
    day           date NOT NULL,
    direction     text NOT NULL,
    dimension     text NOT NULL,
    value         text NOT NULL,
    calls         integer NOT NULL,
    answered      integer NOT NULL,
    talk_seconds  numeric NOT NULL,
    wrapped       integer NOT NULL,  -- calls wrapped up
    wrap_seconds  numeric NOT NULL,  -- from their end to their wrap-up
    PRIMARY KEY (day, direction, dimension, value)
);

-- Queue members' pauses (Asterisk's queue_log, docs/reports.md "Pause time by reason")
-- by the day a pause began, the member as queue_log names them, and the reason ('' for
-- none). A pause is a PAUSE line to the next of that member's PAUSE (a new reason),
-- UNPAUSE, ADDMEMBER (added again: after an Asterisk restart) or REMOVEMEMBER lines in
-- the same queue; one still open counts once it ends.
CREATE TABLE report_pauses (
    day      date NOT NULL,
    member   text NOT NULL,
    reason   text NOT NULL,
    pauses   integer NOT NULL,
    seconds  numeric NOT NULL,
    PRIMARY KEY (day, member, reason)
);
-- A member's pause lines in order: what finds a line's neighbours.
CREATE INDEX queue_log_pause_lines ON queue_log (queuename, agent, time, id)
    WHERE event IN ('PAUSE', 'UNPAUSE', 'ADDMEMBER', 'REMOVEMEMBER');

-- A moment's day and hour in the center's zone.
CREATE FUNCTION report_local(at timestamptz) RETURNS timestamp LANGUAGE sql STABLE AS $$
    SELECT at AT TIME ZONE (SELECT tz FROM report_zone)
$$;

-- A cancelled task counts nowhere; done in time is completed on or before the due
-- day, in the center's calendar.
CREATE FUNCTION report_followup_rows(t followup_tasks)
RETURNS TABLE (due_date date, kind text, agent_id bigint, due integer, in_time integer,
               late integer, unreachable integer, sms integer, pending integer,
               completed_attempts integer)
LANGUAGE sql STABLE AS $$
    SELECT t.due_date, t.kind, coalesce(t.completed_by, t.assigned_to, 0), 1,
           (t.status = 'completed' AND report_local(t.completed_at)::date <= t.due_date)::int,
           (t.status = 'completed' AND report_local(t.completed_at)::date > t.due_date)::int,
           (t.status = 'unreachable')::int, (t.status = 'sms')::int,
           (t.status IN ('open', 'call_again'))::int,
           CASE WHEN t.status = 'completed' THEN t.attempts ELSE 0 END
    WHERE t.status <> 'cancelled'
$$;

CREATE FUNCTION report_completion_rows(t followup_tasks)
RETURNS TABLE (day date, agent_id bigint, kind text, completed integer, score_sum numeric,
               score_max numeric)
LANGUAGE sql STABLE AS $$
    SELECT report_local(t.completed_at)::date, coalesce(t.completed_by, 0), t.kind, 1,
           coalesce(t.score, 0),
           coalesce((SELECT sum((q ->> 'max')::numeric)
                     FROM questionnaire_templates qt, jsonb_array_elements(qt.questions) q
                     WHERE qt.id = t.template_id), 0)
    WHERE t.status = 'completed'
$$;

-- An attempt on which the agent never picked up did not try the customer's line (the
-- task's own attempts column does not count it either).
CREATE FUNCTION report_attempt_rows(a followup_attempts)
RETURNS TABLE (day date, kind text, agent_id bigint, attempts integer, answered integer)
LANGUAGE sql STABLE AS $$
    SELECT report_local(a.attempted_at)::date, t.kind, coalesce(a.agent_id, 0), 1,
           (a.result = 'answered')::int
    FROM followup_tasks t
    WHERE t.id = a.task_id AND a.result <> 'agent_no_answer'
$$;

-- A call counts once it has ended; its talk is from the answer to the end.
CREATE FUNCTION report_call_rows(c calls)
RETURNS TABLE (day date, direction text, dimension text, value text, calls integer,
               answered integer, talk_seconds numeric, wrapped integer,
               wrap_seconds numeric)
LANGUAGE sql STABLE AS $$
    SELECT local::date, c.direction, d.dimension, d.value, 1,
           (c.answered_at IS NOT NULL)::int,
           CASE WHEN c.answered_at IS NULL THEN 0
                ELSE greatest(extract(epoch FROM c.ended_at - c.answered_at), 0) END,
           (c.wrapped_up_at IS NOT NULL)::int,
           CASE WHEN c.wrapped_up_at IS NULL THEN 0
                ELSE greatest(extract(epoch FROM c.wrapped_up_at - c.ended_at), 0) END
    FROM report_local(c.started_at) AS local,
         LATERAL (VALUES ('all', ''),
                         ('category', coalesce(c.category, 'none')),
                         ('disposition', coalesce(c.disposition, 'none')),
                         ('hour', extract(hour FROM local)::int::text),
                         ('agent', coalesce(c.agent_id, 0)::text)) AS d (dimension, value)
    WHERE c.ended_at IS NOT NULL
$$;

-- The triggers: take the old row's contribution out (sign -1), put the new one's in.
CREATE FUNCTION report_followups_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer;
    t followup_tasks;
BEGIN
    FOREACH sign IN ARRAY ARRAY[-1, 1] LOOP
        CONTINUE WHEN (sign = -1 AND TG_OP = 'INSERT') OR (sign = 1 AND TG_OP = 'DELETE');
        IF sign = -1 THEN t := OLD; ELSE t := NEW; END IF;
        INSERT INTO report_followups AS r
        SELECT f.due_date, f.kind, f.agent_id, sign * f.due, sign * f.in_time, sign * f.late,
               sign * f.unreachable, sign * f.sms, sign * f.pending,
               sign * f.completed_attempts
        FROM report_followup_rows(t) f
        ON CONFLICT (due_date, kind, agent_id) DO UPDATE SET
            due = r.due + EXCLUDED.due, in_time = r.in_time + EXCLUDED.in_time,
            late = r.late + EXCLUDED.late, unreachable = r.unreachable + EXCLUDED.unreachable,
            sms = r.sms + EXCLUDED.sms, pending = r.pending + EXCLUDED.pending,
            completed_attempts = r.completed_attempts + EXCLUDED.completed_attempts;
        INSERT INTO report_completions AS r
        SELECT c.day, c.agent_id, c.kind, sign * c.completed, sign * c.score_sum,
               sign * c.score_max
        FROM report_completion_rows(t) c
        ON CONFLICT (day, agent_id, kind) DO UPDATE SET
            completed = r.completed + EXCLUDED.completed,
            score_sum = r.score_sum + EXCLUDED.score_sum,
            score_max = r.score_max + EXCLUDED.score_max;
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER report_followups_insert_delete AFTER INSERT OR DELETE ON followup_tasks
    FOR EACH ROW EXECUTE FUNCTION report_followups_change();
-- Only a change of what the summaries sum: the worklist's next_attempt_at moves often.
CREATE TRIGGER report_followups_update AFTER UPDATE ON followup_tasks
    FOR EACH ROW WHEN ((OLD.status, OLD.due_date, OLD.kind, OLD.assigned_to, OLD.completed_by,
                        OLD.completed_at, OLD.attempts, OLD.score, OLD.template_id)
                       IS DISTINCT FROM
                       (NEW.status, NEW.due_date, NEW.kind, NEW.assigned_to, NEW.completed_by,
                        NEW.completed_at, NEW.attempts, NEW.score, NEW.template_id))
    EXECUTE FUNCTION report_followups_change();

CREATE FUNCTION report_attempts_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer;
    a followup_attempts;
BEGIN
    FOREACH sign IN ARRAY ARRAY[-1, 1] LOOP
        CONTINUE WHEN (sign = -1 AND TG_OP = 'INSERT') OR (sign = 1 AND TG_OP = 'DELETE');
        IF sign = -1 THEN a := OLD; ELSE a := NEW; END IF;
        INSERT INTO report_attempts AS r
        SELECT x.day, x.kind, x.agent_id, sign * x.attempts, sign * x.answered
        FROM report_attempt_rows(a) x
        ON CONFLICT (day, kind, agent_id) DO UPDATE SET
            attempts = r.attempts + EXCLUDED.attempts,
            answered = r.answered + EXCLUDED.answered;
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER report_attempts_insert_delete AFTER INSERT OR DELETE ON followup_attempts
    FOR EACH ROW EXECUTE FUNCTION report_attempts_change();
CREATE TRIGGER report_attempts_update AFTER UPDATE ON followup_attempts
    FOR EACH ROW WHEN ((OLD.task_id, OLD.agent_id, OLD.attempted_at, OLD.result)
                       IS DISTINCT FROM (NEW.task_id, NEW.agent_id, NEW.attempted_at, NEW.result))
    EXECUTE FUNCTION report_attempts_change();

CREATE FUNCTION report_calls_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer;
    c calls;
BEGIN
    FOREACH sign IN ARRAY ARRAY[-1, 1] LOOP
        CONTINUE WHEN (sign = -1 AND TG_OP = 'INSERT') OR (sign = 1 AND TG_OP = 'DELETE');
        IF sign = -1 THEN c := OLD; ELSE c := NEW; END IF;
        INSERT INTO report_calls AS r
        SELECT x.day, x.direction, x.dimension, x.value, sign * x.calls, sign * x.answered,
               sign * x.talk_seconds, sign * x.wrapped, sign * x.wrap_seconds
        FROM report_call_rows(c) x
        ON CONFLICT (day, direction, dimension, value) DO UPDATE SET
            calls = r.calls + EXCLUDED.calls, answered = r.answered + EXCLUDED.answered,
            talk_seconds = r.talk_seconds + EXCLUDED.talk_seconds,
            wrapped = r.wrapped + EXCLUDED.wrapped,
            wrap_seconds = r.wrap_seconds + EXCLUDED.wrap_seconds;
    END LOOP;
    RETURN NULL;
END $$;

-- A call in progress changes its row many times and counts nowhere until it has ended:
-- these triggers do nothing before then.
CREATE TRIGGER report_calls_insert AFTER INSERT ON calls
    FOR EACH ROW WHEN (NEW.ended_at IS NOT NULL) EXECUTE FUNCTION report_calls_change();
CREATE TRIGGER report_calls_delete AFTER DELETE ON calls
    FOR EACH ROW WHEN (OLD.ended_at IS NOT NULL) EXECUTE FUNCTION report_calls_change();
CREATE TRIGGER report_calls_update AFTER UPDATE ON calls
    FOR EACH ROW WHEN ((OLD.ended_at IS NOT NULL OR NEW.ended_at IS NOT NULL) AND
                       (OLD.started_at, OLD.answered_at, OLD.ended_at, OLD.direction,
                        OLD.category, OLD.disposition, OLD.agent_id, OLD.wrapped_up_at)
                       IS DISTINCT FROM
                       (NEW.started_at, NEW.answered_at, NEW.ended_at, NEW.direction,
                        NEW.category, NEW.disposition, NEW.agent_id, NEW.wrapped_up_at))
    EXECUTE FUNCTION report_calls_change();

CREATE FUNCTION report_pause_add(opened queue_log, closed queue_log, sign integer)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO report_pauses AS r
    SELECT report_local(opened.time)::date, opened.agent, opened.data1, sign,
           sign * greatest(extract(epoch FROM closed.time - opened.time), 0)
    WHERE opened.event = 'PAUSE'
    ON CONFLICT (day, member, reason) DO UPDATE SET
        pauses = r.pauses + EXCLUDED.pauses, seconds = r.seconds + EXCLUDED.seconds
$$;

-- A line arriving between two others of its member (the file import adds lines late)
-- splits the pause they made: the pause before it now ends at it, and it may open one
-- that the next line ends. Asterisk inserts with a role that may only insert: the
-- function runs as its owner, and a failure here never refuses Asterisk's line (the
-- summary then misses it until reports_rebuild()).
CREATE FUNCTION report_pauses_change() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    before queue_log;
    after queue_log;
BEGIN
    -- one line of a member at a time: two would each miss the other
    PERFORM pg_advisory_xact_lock(hashtext('report_pauses|' || NEW.queuename || '|' || NEW.agent));
    SELECT * INTO before FROM queue_log
    WHERE queuename = NEW.queuename AND agent = NEW.agent
      AND event IN ('PAUSE', 'UNPAUSE', 'ADDMEMBER', 'REMOVEMEMBER') AND (time, id) < (NEW.time, NEW.id)
    ORDER BY time DESC, id DESC LIMIT 1;
    SELECT * INTO after FROM queue_log
    WHERE queuename = NEW.queuename AND agent = NEW.agent
      AND event IN ('PAUSE', 'UNPAUSE', 'ADDMEMBER', 'REMOVEMEMBER') AND (time, id) > (NEW.time, NEW.id)
    ORDER BY time, id LIMIT 1;
    IF before.id IS NOT NULL AND after.id IS NOT NULL THEN
        PERFORM report_pause_add(before, after, -1);
    END IF;
    IF before.id IS NOT NULL THEN
        PERFORM report_pause_add(before, NEW, 1);
    END IF;
    IF after.id IS NOT NULL THEN
        PERFORM report_pause_add(NEW, after, 1);
    END IF;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'report_pauses: queue_log line % not summed: %', NEW.id, SQLERRM;
    RETURN NULL;
END $$;

CREATE TRIGGER report_pauses_insert AFTER INSERT ON queue_log
    FOR EACH ROW WHEN (NEW.event IN ('PAUSE', 'UNPAUSE', 'ADDMEMBER', 'REMOVEMEMBER'))
    EXECUTE FUNCTION report_pauses_change();

-- Every summary again from every row, set-based. Writers of the summed tables wait
-- meanwhile (their triggers would otherwise add to a summary being replaced), except
-- Asterisk's queue_log inserts, which must never wait on this: a pause line that arrives
-- during the rebuild may be summed twice or not at all.
CREATE FUNCTION reports_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE followup_tasks, followup_attempts, calls IN SHARE MODE;
    TRUNCATE report_followups, report_completions, report_attempts, report_calls,
             report_pauses;
    INSERT INTO report_followups
    SELECT f.due_date, f.kind, f.agent_id, sum(f.due), sum(f.in_time), sum(f.late),
           sum(f.unreachable), sum(f.sms), sum(f.pending), sum(f.completed_attempts)
    FROM followup_tasks t, LATERAL report_followup_rows(t) f
    GROUP BY f.due_date, f.kind, f.agent_id;
    INSERT INTO report_completions
    SELECT c.day, c.agent_id, c.kind, sum(c.completed), sum(c.score_sum), sum(c.score_max)
    FROM followup_tasks t, LATERAL report_completion_rows(t) c
    GROUP BY c.day, c.agent_id, c.kind;
    INSERT INTO report_attempts
    SELECT x.day, x.kind, x.agent_id, sum(x.attempts), sum(x.answered)
    FROM followup_attempts a, LATERAL report_attempt_rows(a) x
    GROUP BY x.day, x.kind, x.agent_id;
    INSERT INTO report_calls
    SELECT x.day, x.direction, x.dimension, x.value, sum(x.calls), sum(x.answered),
           sum(x.talk_seconds), sum(x.wrapped), sum(x.wrap_seconds)
    FROM calls c, LATERAL report_call_rows(c) x
    GROUP BY x.day, x.direction, x.dimension, x.value;
    INSERT INTO report_pauses
    SELECT report_local(time)::date, agent, data1, count(*),
           sum(greatest(extract(epoch FROM ends - time), 0))
    FROM (SELECT time, agent, event, data1,
                 lead(time) OVER (PARTITION BY queuename, agent ORDER BY time, id) AS ends
          FROM queue_log WHERE event IN ('PAUSE', 'UNPAUSE', 'ADDMEMBER', 'REMOVEMEMBER')) AS lines
    WHERE event = 'PAUSE' AND ends IS NOT NULL
    GROUP BY 1, 2, 3;
END $$;

-- The server's zone: rebuild only when it changed (true then).
CREATE FUNCTION reports_set_zone(zone text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM now() AT TIME ZONE zone;  -- refuses an unknown zone before anything changes
    UPDATE report_zone SET tz = zone WHERE tz IS DISTINCT FROM zone;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM reports_rebuild();
    RETURN true;
END $$;

SELECT reports_rebuild();
