-- Call supervision and forced queue changes (docs/supervision.md): the audit trail.

-- target_type is 'call' (listen, whisper, barge) or 'agent' (forced pause, log-out).
-- name: audit
INSERT INTO audit_log (actor_id, action, target_type, target_id, remote_addr, details)
VALUES ($1, $2, $3, $4, $5, $6);
