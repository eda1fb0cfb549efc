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
-- The same per staff ('' unknown): question '' is the follow-up as a whole (answers =
-- completed, score_sum their totals, satisfied), the others one question's answers
-- (satisfied 0). Kept
-- per day and per month (its 1st): a range reads its whole months from the months and
-- only its partial months' days from the days, since a large group's hundreds of staff
-- make hundreds of thousands of day rows a year.
CREATE TABLE report_staff_days (
    day          date NOT NULL,
    template_id  bigint NOT NULL,
    staff        text NOT NULL,
    question     text NOT NULL,
    answers      integer NOT NULL,
    score_sum    numeric NOT NULL,
    satisfied    integer NOT NULL,
    PRIMARY KEY (day, template_id, staff, question)
);
CREATE TABLE report_staff_months (LIKE report_staff_days INCLUDING ALL);
ALTER TABLE report_staff_months RENAME COLUMN day TO month;

-- A completed follow-up's answers (whole numbers, domain/questionnaires.py) by its
-- completion day: a row per question, and question '' for the whole (its total score).
CREATE FUNCTION report_satisfaction_rows(t followup_tasks)
RETURNS TABLE (day date, template_id bigint, staff text, question text, score numeric,
               satisfied integer)
LANGUAGE sql STABLE AS $$
    SELECT report_local(t.completed_at)::date, t.template_id, coalesce(t.staff, ''),
           a.key, a.value::text::numeric, (a.key = '' AND t.result = 'satisfied')::int
    -- the total as the answer to question '' (no question has that id)
    FROM jsonb_each(jsonb_build_object('', coalesce(t.score, 0)) || t.answers) AS a
    WHERE t.status = 'completed' AND t.template_id IS NOT NULL
      AND jsonb_typeof(t.answers) = 'object' AND jsonb_typeof(a.value) = 'number'
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
        INSERT INTO report_staff_days AS r
        SELECT x.day, x.template_id, x.staff, x.question, sign, sign * x.score,
               sign * x.satisfied
        FROM report_satisfaction_rows(t) x
        ON CONFLICT (day, template_id, staff, question) DO UPDATE SET
            answers = r.answers + EXCLUDED.answers,
            score_sum = r.score_sum + EXCLUDED.score_sum,
            satisfied = r.satisfied + EXCLUDED.satisfied;
        INSERT INTO report_staff_months AS r
        SELECT date_trunc('month', x.day)::date, x.template_id, x.staff, x.question, sign,
               sign * x.score, sign * x.satisfied
        FROM report_satisfaction_rows(t) x
        ON CONFLICT (month, template_id, staff, question) DO UPDATE SET
            answers = r.answers + EXCLUDED.answers,
            score_sum = r.score_sum + EXCLUDED.score_sum,
            satisfied = r.satisfied + EXCLUDED.satisfied;
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
    WHERE question <> '' GROUP BY 1, 2, 3, 4;
    INSERT INTO report_satisfaction
    SELECT day, template_id, count(*), sum(score), sum(satisfied) FROM satisfaction_rows
    WHERE question = '' GROUP BY 1, 2;
    INSERT INTO report_staff_days
    SELECT day, template_id, staff, question, count(*), sum(score), sum(satisfied)
    FROM satisfaction_rows GROUP BY 1, 2, 3, 4;
    INSERT INTO report_staff_months
    SELECT date_trunc('month', day)::date, template_id, staff, question, count(*),
           sum(score), sum(satisfied)
    FROM satisfaction_rows GROUP BY 1, 2, 3, 4;
    DROP TABLE satisfaction_rows;
END $$;

-- One rebuild for every summary: 0014's, renamed, and the satisfaction's.
ALTER FUNCTION reports_rebuild() RENAME TO reports_rebuild_0014;
CREATE FUNCTION reports_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_rebuild_0014();  -- locks followup_tasks, followup_attempts, calls
    PERFORM report_satisfaction_rebuild();
END $$;

SELECT report_satisfaction_rebuild();
