-- name: awaiting_wrap_up
SELECT id FROM calls
WHERE agent_id = $1 AND direction = 'inbound' AND answered_at IS NOT NULL
  AND ended_at IS NOT NULL AND category IS NULL AND ended_at > now() - interval '30 minutes'
ORDER BY ended_at DESC LIMIT 1;

-- name: extension_of
SELECT extension FROM users WHERE id = $1;
