-- Issue 13's scheduler, its second step: the lost-contact list's card-mailed mark, and
-- what its daily statements need to be fast (docs/scheduler.md, docs/benchmarks.md).

-- The lost-contact list's "card mailed" mark (docs/scheduler.md "Lost contact"): once a
-- supervisor has mailed the card, the customer leaves the list. lost_contact_at stays:
-- the rules still make no calls for them (the card asks them to call the center); who
-- marked it and when is kept here and in the audit log.
ALTER TABLE customers
    ADD COLUMN lost_contact_card_mailed_at timestamptz,
    ADD COLUMN lost_contact_card_mailed_by bigint REFERENCES users;
DROP INDEX customers_lost_contact;
CREATE INDEX customers_lost_contact_unmailed ON customers (lost_contact_at)
    WHERE lost_contact_at IS NOT NULL AND lost_contact_card_mailed_at IS NULL;

-- A vehicle's orders by time: the daily recompute of the few vehicles whose history
-- changed (care.sql recompute_stale) and a reading told during a call (vehicle_history)
-- find a vehicle's last orders here instead of scanning every order.
CREATE INDEX service_orders_vehicle ON service_orders (vehicle_id, settled_at DESC);

-- New follow-ups' share of the report summaries (0014), summed per statement: the
-- scheduler inserts hundreds of tasks of one kind and due day in one statement, and the
-- row trigger upserted the same summary row once per task (about 0.5 ms a task, half of
-- the scheduler's year in bench/bench_scheduler.py). Deletes and updates keep the row
-- trigger of 0014; the figures are the same sums.
CREATE FUNCTION report_followups_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_followups AS r
    SELECT f.due_date, f.kind, f.agent_id, sum(f.due), sum(f.in_time), sum(f.late),
           sum(f.unreachable), sum(f.sms), sum(f.pending), sum(f.completed_attempts)
    FROM inserted_tasks t, LATERAL report_followup_rows(t::followup_tasks) f
    GROUP BY f.due_date, f.kind, f.agent_id
    ON CONFLICT (due_date, kind, agent_id) DO UPDATE SET
        due = r.due + EXCLUDED.due, in_time = r.in_time + EXCLUDED.in_time,
        late = r.late + EXCLUDED.late, unreachable = r.unreachable + EXCLUDED.unreachable,
        sms = r.sms + EXCLUDED.sms, pending = r.pending + EXCLUDED.pending,
        completed_attempts = r.completed_attempts + EXCLUDED.completed_attempts;
    INSERT INTO report_completions AS r
    SELECT c.day, c.agent_id, c.kind, sum(c.completed), sum(c.score_sum), sum(c.score_max)
    FROM inserted_tasks t, LATERAL report_completion_rows(t::followup_tasks) c
    GROUP BY c.day, c.agent_id, c.kind
    ON CONFLICT (day, agent_id, kind) DO UPDATE SET
        completed = r.completed + EXCLUDED.completed,
        score_sum = r.score_sum + EXCLUDED.score_sum,
        score_max = r.score_max + EXCLUDED.score_max;
    RETURN NULL;
END $$;
DROP TRIGGER report_followups_insert_delete ON followup_tasks;
CREATE TRIGGER report_followups_insert AFTER INSERT ON followup_tasks
    REFERENCING NEW TABLE AS inserted_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION report_followups_inserted();
CREATE TRIGGER report_followups_delete AFTER DELETE ON followup_tasks
    FOR EACH ROW EXECUTE FUNCTION report_followups_change();
