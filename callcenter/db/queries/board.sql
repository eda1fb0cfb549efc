-- The supervisors' board: who is on it, their day so far, and the names it shows.

-- name: agents
-- Everyone with a phone: agents, and supervisors who take calls too.
SELECT id, display_name, extension, role FROM users
WHERE active AND extension IS NOT NULL
ORDER BY extension;

-- name: day_of_agents
-- Calls placed or answered since $1, and talk time (answered to ended), per agent.
-- Reads calls_agent (agent_id, started_at DESC): one index range per agent.
SELECT agent_id,
       count(*) FILTER (WHERE direction = 'outbound' OR answered_at IS NOT NULL) AS calls,
       coalesce(sum(extract(epoch FROM ended_at - answered_at))
                FILTER (WHERE answered_at IS NOT NULL AND ended_at IS NOT NULL), 0)
           AS talk_seconds
FROM calls
WHERE agent_id = any($1::bigint[]) AND started_at >= $2
GROUP BY agent_id;

-- name: waiting_wrap_ups
-- The agents among $1 who owe a wrap-up (agents.sql awaiting_wrap_up, for many at once).
SELECT DISTINCT agent_id FROM calls
WHERE agent_id = any($1::bigint[]) AND direction = 'inbound' AND answered_at IS NOT NULL
  AND ended_at IS NOT NULL AND category IS NULL AND ended_at > now() - interval '30 minutes';

-- name: customer_names
SELECT id, name FROM customers WHERE id = any($1::bigint[]);
