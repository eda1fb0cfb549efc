-- name: insert_user
INSERT INTO users (username, display_name, role, password_hash, extension, locale)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: find_user_by_username
SELECT id, username, display_name, role, password_hash, extension, locale, active
FROM users WHERE username = $1;

-- name: list_users
SELECT id, username, display_name, role, extension, locale, active
FROM users ORDER BY username;

-- name: insert_session
INSERT INTO user_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3);

-- name: find_session_user
SELECT u.id, u.username, u.display_name, u.role, u.extension, u.locale
FROM user_sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active;

-- name: delete_session
DELETE FROM user_sessions WHERE token_hash = $1;

-- name: delete_expired_sessions
DELETE FROM user_sessions WHERE expires_at <= now();
