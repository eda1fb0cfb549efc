-- Satisfaction report (docs/reports.md "Satisfaction"): the answers of completed
-- follow-ups, summed per day as they are completed, like migration 0014's summaries
-- (one SQL function per row's contribution, used by the trigger and by the rebuild).

-- The salesperson of a sale, from the customers file (docs/imports.md).
ALTER TABLE vehicles ADD COLUMN salesperson text;

-- Whom a follow-up's answers concern: the vehicle's salesperson (sales follow-ups), the
-- advisor of the visit's orders (service follow-ups); NULL when unknown. Kept on the task
-- by the triggers below, so the summary's contribution is a function of the task's row
-- alone and a corrected salesperson or advisor moves the answers it concerns.
ALTER TABLE followup_tasks ADD COLUMN staff text;
CREATE INDEX followup_tasks_vehicle ON followup_tasks (vehicle_id) WHERE kind = 'sales';

-- A visit's advisor: that of its first settled order that names one (by settlement,
-- then order number), so a visit of several orders counts once, for one advisor.
CREATE FUNCTION followup_staff(kind text, vehicle bigint, visit text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE kind
        WHEN 'sales' THEN (SELECT nullif(btrim(salesperson), '') FROM vehicles
                           WHERE id = vehicle)
        WHEN 'service' THEN (SELECT nullif(btrim(advisor), '') FROM service_orders
                             WHERE visit_no = visit AND nullif(btrim(advisor), '') IS NOT NULL
                             ORDER BY settled_at, order_no LIMIT 1)
    END
$$;

CREATE FUNCTION followup_staff_of_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.staff := followup_staff(NEW.kind, NEW.vehicle_id, NEW.visit_no);
    RETURN NEW;
END $$;
CREATE TRIGGER followup_staff_of_task BEFORE INSERT OR UPDATE OF kind, vehicle_id, visit_no
    ON followup_tasks FOR EACH ROW EXECUTE FUNCTION followup_staff_of_task();

CREATE FUNCTION followup_staff_of_vehicle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE followup_tasks SET staff = followup_staff('sales', NEW.id, NULL)
    WHERE vehicle_id = NEW.id AND kind = 'sales'
      AND staff IS DISTINCT FROM followup_staff('sales', NEW.id, NULL);
    RETURN NULL;
END $$;
CREATE TRIGGER followup_staff_of_vehicle AFTER UPDATE OF salesperson ON vehicles
    FOR EACH ROW WHEN (OLD.salesperson IS DISTINCT FROM NEW.salesperson)
    EXECUTE FUNCTION followup_staff_of_vehicle();

-- Recomputed from the orders as they are when the trigger runs (after the statement's
-- rows), so an import changing several orders of one visit ends with the right advisor.
CREATE FUNCTION followup_staff_of_orders() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    visit text;
BEGIN
    FOREACH visit IN ARRAY ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.visit_no END,
                                 CASE WHEN TG_OP <> 'DELETE' THEN NEW.visit_no END] LOOP
        CONTINUE WHEN visit IS NULL;
        UPDATE followup_tasks SET staff = followup_staff('service', NULL, visit)
        WHERE source_key = 'service:' || visit
          AND staff IS DISTINCT FROM followup_staff('service', NULL, visit);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER followup_staff_of_orders_insert_delete AFTER INSERT OR DELETE ON service_orders
    FOR EACH ROW EXECUTE FUNCTION followup_staff_of_orders();
CREATE TRIGGER followup_staff_of_orders_update AFTER UPDATE ON service_orders
    FOR EACH ROW WHEN ((OLD.visit_no, OLD.advisor, OLD.settled_at, OLD.order_no)
                       IS DISTINCT FROM (NEW.visit_no, NEW.advisor, NEW.settled_at, NEW.order_no))
    EXECUTE FUNCTION followup_staff_of_orders();

UPDATE followup_tasks SET staff = followup_staff(kind, vehicle_id, visit_no)
WHERE kind IN ('sales', 'service');

-- The summaries, by the day of the completion (center's zone) and the template version
-- the answers were given on.
-- Each answer: (question, score value) -> how many; the distribution and the means.
CREATE TABLE report_answers (
    day          date NOT NULL,
    template_id  bigint NOT NULL,
    question     text NOT NULL,
    score        integer NOT NULL,
    answers      integer NOT NULL,
    PRIMARY KEY (day, template_id, question, score)
);
-- Each completed follow-up: its total and result.
CREATE TABLE report_satisfaction (
    day          date NOT NULL,
    template_id  bigint NOT NULL,
    completed    integer NOT NULL,
    score_sum    numeric NOT NULL,
    satisfied    integer NOT NULL,
    PRIMARY KEY (day, template_id)
);
-- The same per staff ('' unknown) and template: the follow-ups (completed, their
-- totals, satisfied) and two arrays by the question's place in the template (a template
-- is never edited, migration 0003): how many answered it, the sum of those answers.
-- report_staff_days holds running totals: a row on each day a staff member's figures
-- changed, with everything completed up to and including that day, so any range is two
-- rows per staff member and template (the last row on or before its end minus the last
-- before its start), a few hundred rows whatever the range, instead of adding up a
-- year's 160,000 day rows (or its months and the days of its partial ends).
-- report_staff_months (a row per month) names the staff members and templates to read.
CREATE TABLE report_staff_days (
    day          date NOT NULL,
    template_id  bigint NOT NULL,
    staff        text NOT NULL,
    completed    integer NOT NULL,
    score_sum    numeric NOT NULL,
    satisfied    integer NOT NULL,
    answers      integer[] NOT NULL,
    answer_sums  integer[] NOT NULL,
    PRIMARY KEY (day, template_id, staff)
);
CREATE TABLE report_staff_months (LIKE report_staff_days INCLUDING ALL);
ALTER TABLE report_staff_months RENAME COLUMN day TO month;
-- a staff member's last running row on or before a day
CREATE INDEX report_staff_days_running ON report_staff_days (template_id, staff, day);

-- Element by element a + sign x b (a missing element counts 0).
CREATE FUNCTION report_arrays_add(a integer[], b integer[], sign integer)
RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(coalesce(x, 0) + sign * coalesce(y, 0) ORDER BY n), '{}')
    FROM unnest(a, b) WITH ORDINALITY AS u (x, y, n)
$$;

-- A completed follow-up's answers (whole numbers, domain/questionnaires.py) by its
-- completion day: a row per question, and question '' for the whole (its total score).
CREATE FUNCTION report_satisfaction_rows(t followup_tasks)
RETURNS TABLE (day date, template_id bigint, question text, score numeric,
               satisfied integer)
LANGUAGE sql STABLE AS $$
    SELECT report_local(t.completed_at)::date, t.template_id, a.key, a.value::text::numeric, (a.key = '' AND t.result = 'satisfied')::int
    -- the total as the answer to question '' (no question has that id)
    FROM jsonb_each(jsonb_build_object('', coalesce(t.score, 0)) || t.answers) AS a
    WHERE t.status = 'completed' AND t.template_id IS NOT NULL
      AND jsonb_typeof(t.answers) = 'object' AND jsonb_typeof(a.value) = 'number'
$$;

-- The same follow-up for its staff: the answers by the question's place in the template.
CREATE FUNCTION report_staff_rows(t followup_tasks)
RETURNS TABLE (day date, template_id bigint, staff text, score_sum numeric,
               satisfied integer, answers integer[], answer_sums integer[])
LANGUAGE sql STABLE AS $$
    SELECT report_local(t.completed_at)::date, t.template_id, coalesce(t.staff, ''),
           coalesce(t.score, 0), (t.result = 'satisfied')::int,
           array_agg((jsonb_typeof(t.answers -> (q ->> 'id')) = 'number')::int ORDER BY n),
           array_agg(CASE WHEN jsonb_typeof(t.answers -> (q ->> 'id')) = 'number'
                          THEN (t.answers ->> (q ->> 'id'))::integer ELSE 0 END ORDER BY n)
    FROM questionnaire_templates qt, jsonb_array_elements(qt.questions) WITH ORDINALITY AS e (q, n)
    WHERE qt.id = t.template_id AND t.status = 'completed'
      AND jsonb_typeof(t.answers) = 'object'
    HAVING count(*) > 0
$$;

CREATE FUNCTION report_satisfaction_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer;
    t followup_tasks;
BEGIN
    FOREACH sign IN ARRAY ARRAY[-1, 1] LOOP
        CONTINUE WHEN (sign = -1 AND TG_OP = 'INSERT') OR (sign = 1 AND TG_OP = 'DELETE');
        IF sign = -1 THEN t := OLD; ELSE t := NEW; END IF;
        INSERT INTO report_answers AS r
        SELECT x.day, x.template_id, x.question, x.score, sign
        FROM report_satisfaction_rows(t) x WHERE x.question <> ''
        ON CONFLICT (day, template_id, question, score) DO UPDATE SET
            answers = r.answers + EXCLUDED.answers;
        INSERT INTO report_satisfaction AS r
        SELECT x.day, x.template_id, sign, sign * x.score, sign * x.satisfied
        FROM report_satisfaction_rows(t) x WHERE x.question = ''
        ON CONFLICT (day, template_id) DO UPDATE SET
            completed = r.completed + EXCLUDED.completed,
            score_sum = r.score_sum + EXCLUDED.score_sum,
            satisfied = r.satisfied + EXCLUDED.satisfied;
        -- the running totals: every row from the day on, then the day's own row (the
        -- last row before it plus this follow-up) if it had none
        UPDATE report_staff_days r SET
            completed = r.completed + sign,
            score_sum = r.score_sum + sign * x.score_sum,
            satisfied = r.satisfied + sign * x.satisfied,
            answers = report_arrays_add(r.answers, x.answers, sign),
            answer_sums = report_arrays_add(r.answer_sums, x.answer_sums, sign)
        FROM report_staff_rows(t) x
        WHERE r.template_id = x.template_id AND r.staff = x.staff AND r.day >= x.day;
        INSERT INTO report_staff_days
        SELECT x.day, x.template_id, x.staff, coalesce(p.completed, 0) + sign,
               coalesce(p.score_sum, 0) + sign * x.score_sum,
               coalesce(p.satisfied, 0) + sign * x.satisfied,
               report_arrays_add(coalesce(p.answers, '{}'), x.answers, sign),
               report_arrays_add(coalesce(p.answer_sums, '{}'), x.answer_sums, sign)
        FROM report_staff_rows(t) x
        LEFT JOIN LATERAL (
            SELECT * FROM report_staff_days b
            WHERE b.template_id = x.template_id AND b.staff = x.staff AND b.day < x.day
            ORDER BY b.day DESC LIMIT 1) p ON true
        ON CONFLICT (day, template_id, staff) DO NOTHING;
        INSERT INTO report_staff_months AS r
        SELECT date_trunc('month', x.day)::date, x.template_id, x.staff, sign,
               sign * x.score_sum, sign * x.satisfied,
               report_arrays_add('{}', x.answers, sign),
               report_arrays_add('{}', x.answer_sums, sign)
        FROM report_staff_rows(t) x
        ON CONFLICT (month, template_id, staff) DO UPDATE SET
            completed = r.completed + EXCLUDED.completed,
            score_sum = r.score_sum + EXCLUDED.score_sum,
            satisfied = r.satisfied + EXCLUDED.satisfied,
            answers = report_arrays_add(r.answers, EXCLUDED.answers, 1),
            answer_sums = report_arrays_add(r.answer_sums, EXCLUDED.answer_sums, 1);
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER report_satisfaction_insert_delete AFTER INSERT OR DELETE ON followup_tasks
    FOR EACH ROW EXECUTE FUNCTION report_satisfaction_change();
CREATE TRIGGER report_satisfaction_update AFTER UPDATE ON followup_tasks
    FOR EACH ROW WHEN ((OLD.status, OLD.completed_at, OLD.template_id, OLD.answers,
                        OLD.result, OLD.score, OLD.staff)
                       IS DISTINCT FROM
                       (NEW.status, NEW.completed_at, NEW.template_id, NEW.answers,
                        NEW.result, NEW.score, NEW.staff))
    EXECUTE FUNCTION report_satisfaction_change();

-- The satisfaction summaries from every completed follow-up, set-based. Called by
-- reports_rebuild() (below), which holds the lock on followup_tasks meanwhile.
CREATE FUNCTION report_satisfaction_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE report_answers, report_satisfaction, report_staff_days, report_staff_months;
    CREATE TEMP TABLE satisfaction_rows ON COMMIT DROP AS
    SELECT x.* FROM followup_tasks t, LATERAL report_satisfaction_rows(t) x
    WHERE t.status = 'completed';
    INSERT INTO report_answers
    SELECT day, template_id, question, score, count(*) FROM satisfaction_rows
    WHERE question <> '' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
    INSERT INTO report_satisfaction
    SELECT day, template_id, count(*), sum(score), sum(satisfied) FROM satisfaction_rows
    WHERE question = '' GROUP BY 1, 2 ORDER BY 1, 2;
    DROP TABLE satisfaction_rows;
    -- each day's sums per staff, then the months and the running totals from them
    CREATE TEMP TABLE staff_rows ON COMMIT DROP AS
    SELECT x.* FROM followup_tasks t, LATERAL report_staff_rows(t) x
    WHERE t.status = 'completed';
    CREATE TEMP TABLE staff_places ON COMMIT DROP AS
    SELECT day, template_id, staff, n, sum(a)::int AS answers, sum(b)::int AS answer_sums
    FROM staff_rows, unnest(answers, answer_sums) WITH ORDINALITY AS u (a, b, n)
    GROUP BY 1, 2, 3, 4;
    CREATE TEMP TABLE staff_sums ON COMMIT DROP AS
    SELECT day, template_id, staff, count(*)::int AS completed, sum(score_sum) AS score_sum,
           sum(satisfied)::int AS satisfied
    FROM staff_rows GROUP BY 1, 2, 3;
    INSERT INTO report_staff_months
    SELECT s.month, s.template_id, s.staff, s.completed, s.score_sum, s.satisfied,
           p.answers, p.answer_sums
    FROM (SELECT date_trunc('month', day)::date AS month, template_id, staff,
                 sum(completed) AS completed, sum(score_sum) AS score_sum,
                 sum(satisfied) AS satisfied
          FROM staff_sums GROUP BY 1, 2, 3) s
    JOIN (SELECT month, template_id, staff, array_agg(answers ORDER BY n) AS answers,
                 array_agg(answer_sums ORDER BY n) AS answer_sums
          FROM (SELECT date_trunc('month', day)::date AS month, template_id, staff, n,
                       sum(answers)::int AS answers, sum(answer_sums)::int AS answer_sums
                FROM staff_places GROUP BY 1, 2, 3, 4) m
          GROUP BY 1, 2, 3) p USING (month, template_id, staff)
    ORDER BY 1, 2, 3;
    -- in the order of their days, as completions arrive: a range's rows lie together
    INSERT INTO report_staff_days
    SELECT s.day, s.template_id, s.staff, s.completed, s.score_sum, s.satisfied,
           p.answers, p.answer_sums
    FROM (SELECT day, template_id, staff,
                 sum(completed) OVER (PARTITION BY template_id, staff ORDER BY day),
                 sum(score_sum) OVER (PARTITION BY template_id, staff ORDER BY day),
                 sum(satisfied) OVER (PARTITION BY template_id, staff ORDER BY day)
          FROM staff_sums) s (day, template_id, staff, completed, score_sum, satisfied)
    JOIN (SELECT day, template_id, staff, array_agg(answers ORDER BY n) AS answers,
                 array_agg(answer_sums ORDER BY n) AS answer_sums
          FROM (SELECT day, template_id, staff, n,
                       (sum(answers) OVER w)::int AS answers,
                       (sum(answer_sums) OVER w)::int AS answer_sums
                FROM staff_places
                WINDOW w AS (PARTITION BY template_id, staff, n ORDER BY day)) r
          GROUP BY 1, 2, 3) p USING (day, template_id, staff)
    ORDER BY 1, 2, 3;
    DROP TABLE staff_rows, staff_places, staff_sums;
END $$;

-- One rebuild for every summary: 0014's, renamed, and the satisfaction's.
ALTER FUNCTION reports_rebuild() RENAME TO reports_rebuild_0014;
CREATE FUNCTION reports_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_rebuild_0014();  -- locks followup_tasks, followup_attempts, calls
    PERFORM report_satisfaction_rebuild();
END $$;

SELECT report_satisfaction_rebuild();
