-- Click-to-call: the console's live view of a call, and PostgreSQL's guarantee that an
-- agent has at most one call that has not ended (a double click makes exactly one call).

ALTER TABLE calls ADD COLUMN state text NOT NULL DEFAULT 'new';

CREATE UNIQUE INDEX calls_one_live_per_agent ON calls (agent_id)
    WHERE ended_at IS NULL AND agent_id IS NOT NULL;

-- Calls still open after a restart are found and closed by the reconciler.
CREATE INDEX calls_open ON calls (started_at) WHERE ended_at IS NULL;
