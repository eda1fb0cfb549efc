-- An agent's state is computed on every queue-member event, and it asks whether the
-- agent owes a wrap-up (agents.sql awaiting_wrap_up): without this index that reads
-- every inbound call the agent ever answered, a cost that grows with the center's history.
CREATE INDEX calls_awaiting_wrap_up ON calls (agent_id, ended_at DESC)
    WHERE direction = 'inbound' AND answered_at IS NOT NULL AND ended_at IS NOT NULL
      AND category IS NULL;
