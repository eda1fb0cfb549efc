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
