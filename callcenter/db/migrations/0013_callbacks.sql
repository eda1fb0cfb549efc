-- Abandoned callers to call back (docs/calls.md, "Abandoned callers"): the outbound call
-- placed from the list names the abandoned call it answers, and the list's lookups are
-- indexed so that it costs the same with years of calls in the table.
ALTER TABLE calls ADD COLUMN callback_of bigint REFERENCES calls;

-- Today's abandoned inbound calls.
CREATE INDEX calls_abandoned ON calls (started_at)
    WHERE direction = 'inbound' AND disposition = 'abandoned';
-- A later answered call from or to the same number takes it off the list.
CREATE INDEX calls_answered_from ON calls (caller_number, started_at)
    WHERE direction = 'inbound' AND answered_at IS NOT NULL;
CREATE INDEX calls_answered_to ON calls (callee_number, started_at)
    WHERE direction = 'outbound' AND answered_at IS NOT NULL;
