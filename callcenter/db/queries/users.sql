-- Users, their sessions and the login throttle (db/users.py, docs/security.md).

-- name: insert_user
INSERT INTO users (username, display_name, role, password_hash, extension, locale)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: find_user_by_username
SELECT id, username, display_name, role, password_hash, extension, locale, active,
       must_change_password, mobile
FROM users WHERE username = $1;

-- name: find_user
SELECT id, username, display_name, role, extension, locale, active, must_change_password,
       mobile
FROM users WHERE id = $1;

-- Every account ($1 NULL), or one.
-- name: list_accounts
SELECT u.id, u.username, u.display_name, u.role, u.extension, u.locale, u.active,
       u.must_change_password, u.mobile, u.created_at,
       (SELECT count(*) FROM user_sessions s
        WHERE s.user_id = u.id AND s.expires_at > now()) AS sessions
FROM users u
WHERE $1::bigint IS NULL OR u.id = $1
ORDER BY u.username;

-- Everyone who takes calls: the agents, and anyone else with a phone extension. Disabled
-- accounts too, so their recordings can still be found by their name.
-- name: list_agents
SELECT id, username, display_name, role, extension, locale, active, must_change_password,
       mobile
FROM users WHERE role = 'agent' OR extension IS NOT NULL
ORDER BY display_name, id;

-- name: update_user
UPDATE users SET display_name = $2, role = $3, extension = $4, locale = $5, mobile = $6
WHERE id = $1;

-- name: set_active
UPDATE users SET active = $2 WHERE id = $1;

-- name: set_password
UPDATE users SET password_hash = $2, must_change_password = $3 WHERE id = $1;

-- name: insert_session
INSERT INTO user_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3);

-- name: find_session_user
SELECT u.id, u.username, u.display_name, u.role, u.extension, u.locale,
       u.must_change_password, u.mobile
FROM user_sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active;

-- Of the given sessions, those a request could still use.
-- name: live_sessions
SELECT s.token_hash
FROM user_sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = ANY($1::bytea[]) AND s.expires_at > now() AND u.active;

-- name: delete_session
DELETE FROM user_sessions WHERE token_hash = $1;

-- Every session of a user but one (NULL: every one).
-- name: delete_user_sessions
DELETE FROM user_sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2;

-- name: delete_expired_sessions
DELETE FROM user_sessions WHERE expires_at <= now();

-- name: insert_audit
INSERT INTO audit_log (actor_id, action, target_type, target_id, remote_addr, details)
VALUES ($1, $2, 'user', $3, $4, $5);

-- Attempts on one key wait for each other (transaction-scoped, so a lost connection
-- frees it); a row need not exist yet to be locked this way.
-- name: lock_throttle_key
SELECT pg_advisory_xact_lock(hashtextextended('login_throttle:' || $1::text || ':' || $2::text, 0));

-- name: throttle_states
SELECT kind, value, t.failures, t.last_failure_at, t.blocked_until, now() AS now
FROM unnest($1::text[], $2::text[]) AS k(kind, value)
LEFT JOIN login_throttle t USING (kind, value);

-- name: store_throttle
INSERT INTO login_throttle (kind, value, failures, last_failure_at, blocked_until)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (kind, value) DO UPDATE
SET failures = EXCLUDED.failures, last_failure_at = EXCLUDED.last_failure_at,
    blocked_until = EXCLUDED.blocked_until;

-- name: forget_throttle
DELETE FROM login_throttle WHERE kind = $1 AND value = $2;

-- name: forget_old_throttles
DELETE FROM login_throttle
WHERE last_failure_at < now() - make_interval(secs => $1)
  AND (blocked_until IS NULL OR blocked_until <= now());
