-- name: imported_before
-- When a folder file with these bytes was imported, or NULL.
SELECT created_at FROM dms_imports
WHERE sha256 = $1 AND source = 'folder' AND status = 'imported';

-- name: record
-- $1 source, $2 file name, $3 SHA-256, $4 status, $5 report, $6 the admin or NULL.
-- A folder file imported before (by another server) is left out: the caller rolls
-- its import back.
INSERT INTO dms_imports (source, file_name, sha256, status, report, pushed_by)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (sha256) WHERE source = 'folder' AND status = 'imported' DO NOTHING
RETURNING id;

-- name: try_lock_inbox
-- One server at a time works through the folder (session lock; freed when the
-- connection closes, or by unlock_inbox).
SELECT pg_try_advisory_lock(hashtext('callcenter.dms_inbox'));

-- name: unlock_inbox
SELECT pg_advisory_unlock(hashtext('callcenter.dms_inbox'));
