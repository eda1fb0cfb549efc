-- Call supervision and forced queue changes (docs/supervision.md): the audit trail.

-- target_type is 'call' (listen, whisper, barge) or 'agent' (forced pause, log-out).
-- name: audit
INSERT INTO audit_log (actor_id, action, target_type, target_id, remote_addr, details)
VALUES ($1, $2, $3, $4, $5, $6);

-- A supervision ended (Asterisk's ChanSpyStop): one row after the one that started it,
-- found by the supervisor's leg ($1, details.spy_channel_id), with how long it lasted
-- ($2: Asterisk's epoch time of the stop). Nothing when no start row is found (not a
-- supervision of this server's, or older than a day).
-- name: audit_end
INSERT INTO audit_log (actor_id, action, target_type, target_id, remote_addr, details)
SELECT actor_id, 'call.supervise_end', target_type, target_id, NULL,
       jsonb_build_object('spy_channel_id', $1::text, 'mode', details->>'mode',
                          'agent_id', details->'agent_id',
                          'seconds', round(extract(epoch FROM to_timestamp($2) - at), 1))
FROM audit_log
WHERE target_type = 'call' AND details->>'spy_channel_id' = $1::text
  AND at > now() - interval '1 day'
ORDER BY id DESC
LIMIT 1;
