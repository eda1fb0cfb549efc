-- The outcomes of the call scripts (docs/followups.md, "Call outcomes"): a phone found to
-- be a wrong number, the callback a customer asked for, who answered instead of them,
-- and which outcome each answered attempt ended with.

-- A wrong number is never offered or dialled again; who found it out, when, on which call.
ALTER TABLE customer_phones
    ADD COLUMN invalid_at timestamptz,
    ADD COLUMN invalid_by bigint REFERENCES users,
    ADD COLUMN invalid_call_id bigint REFERENCES calls;

-- "Not convenient now": the time the customer named. The task leaves the lists until
-- then and comes back in its agent's "callbacks" section (next_attempt_at holds the
-- same time, which click-to-call enforces).
ALTER TABLE followup_tasks ADD COLUMN callback_at timestamptz;
-- The agents' lists read open tasks by their next attempt and their callback.
CREATE INDEX followup_tasks_callbacks ON followup_tasks (assigned_to, callback_at)
    WHERE callback_at IS NOT NULL AND status IN ('open', 'call_again');
CREATE INDEX followup_tasks_next_attempt ON followup_tasks (next_attempt_at)
    WHERE status = 'call_again';

-- What an answered call ended with, recorded with the call's attempt.
ALTER TABLE followup_attempts
    ADD COLUMN outcome text CHECK (outcome IN (
        'completed', 'callback', 'wrong_number', 'do_not_disturb')),
    ADD COLUMN spoke_with text CHECK (length(spoke_with) <= 100),
    ADD COLUMN callback_at timestamptz,
    ADD CHECK ((outcome = 'callback') = (callback_at IS NOT NULL));
