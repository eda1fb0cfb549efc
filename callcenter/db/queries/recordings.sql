-- The recordings pipeline, index, search and audit trail (docs/recordings.md).

-- name: claim_job
UPDATE recording_jobs
SET locked_until = now() + make_interval(secs => $1), attempts = attempts + 1
WHERE id = (SELECT id FROM recording_jobs
            WHERE run_after <= now() AND (locked_until IS NULL OR locked_until < now())
            ORDER BY run_after, id LIMIT 1
            FOR UPDATE SKIP LOCKED)
RETURNING id, recording_id, kind, attempts;

-- name: finish_job
DELETE FROM recording_jobs WHERE id = $1 AND NOT requeued;

-- name: drop_job
DELETE FROM recording_jobs WHERE id = $1;

-- name: rerun_job
UPDATE recording_jobs
SET locked_until = NULL, requeued = false, attempts = 0, run_after = now()
WHERE id = $1 AND requeued;

-- name: retry_job
UPDATE recording_jobs
SET locked_until = NULL, run_after = now() + make_interval(secs => $2), last_error = $3
WHERE id = $1;

-- name: queue_job
SELECT recording_job($1, $2);

-- name: fail_recording
UPDATE recordings SET status = 'failed', last_error = $2 WHERE id = $1;

-- name: recording_file
SELECT id, path, format, status, sha256 FROM recordings WHERE id = $1;

-- name: converted
UPDATE recordings
SET path = $2, format = $3, size_bytes = $4, duration_ms = $5, sha256 = $6, peaks = $7,
    original_sha256 = $8, status = 'ready', processed_at = now(), last_error = NULL
WHERE id = $1 AND format = 'wav';

-- name: set_transcript
UPDATE recordings SET transcript = $2 WHERE id = $1;

-- name: index_source
SELECT r.id, r.transcript, r.created_at, c.id AS call_id, c.agent_id, c.customer_id,
       c.direction, c.disposition, c.category, c.started_at, c.notes, c.flag_details,
       CASE WHEN c.direction = 'inbound' THEN c.caller_number ELSE c.callee_number END
           AS phone,
       cu.name AS customer_name, f.id AS followup_id, f.kind AS followup_kind,
       f.result AS followup_result, COALESCE(f.vehicle_id, ap.vehicle_id) AS vehicle_id,
       v.plate, cp.id AS complaint_id, cp.description AS complaint_text
FROM recordings r
LEFT JOIN calls c ON c.id = r.call_id
LEFT JOIN customers cu ON cu.id = c.customer_id
LEFT JOIN followup_tasks f ON f.id = c.followup_task_id
LEFT JOIN LATERAL (SELECT vehicle_id FROM appointments a WHERE a.call_id = c.id
                   ORDER BY a.id DESC LIMIT 1) ap ON true
LEFT JOIN vehicles v ON v.id = COALESCE(f.vehicle_id, ap.vehicle_id)
LEFT JOIN LATERAL (SELECT id, description FROM complaints k WHERE k.call_id = c.id
                   ORDER BY k.id DESC LIMIT 1) cp ON true
WHERE r.id = $1;

-- name: set_index
UPDATE recordings
SET agent_id = $2, customer_id = $3, vehicle_id = $4, followup_task_id = $5,
    complaint_id = $6, direction = $7, disposition = $8, category = $9,
    followup_kind = $10, followup_result = $11, started_at = $12, customer_name = $13,
    phone = $14, phone_rev = $15,
    search_tsv = recording_search_words($16, $12)
WHERE id = $1;

-- The search. Every filter is "$n IS NULL OR ...": it runs with plan_cache_mode =
-- force_custom_plan, so the planner drops the unused ones and picks an index for the
-- rest (migration 0011 gives each shape one in page order). $5 is a name prefix longer
-- than 3 characters as a LIKE pattern, $19/$20/$21 a prefix of 1, 2 or 3 characters
-- (index keys). A word search passes its dates as $22, the months and days covering
-- them, which the words are looked up in (migration 0011), and $23, the exact range,
-- checked with @> on the rows GIN gives: no btree serves @>, so the planner cannot
-- mix in a scan of every call in the dates ($1 and $2 are NULL then).
-- count_recordings must keep exactly the same WHERE (tests/unit checks it), and
-- counts at most $24 rows. The page's rows are found by id first, then read: where
-- every filter is in the index (the agent's, the names'), the search reads only the
-- index until it has its page, however many of the calls in the range fail the filters.

-- name: search_recordings
SELECT r.id, r.call_id, r.status, r.format, r.duration_ms, r.started_at, r.direction,
       r.disposition, r.category, r.agent_id, u.display_name AS agent_name,
       r.customer_id, r.customer_name, r.phone, r.followup_task_id, r.followup_kind,
       r.followup_result, r.complaint_id, r.vehicle_id
FROM (SELECT r.id FROM recordings r
WHERE ($1::timestamptz IS NULL OR r.started_at >= $1)
  AND ($2::timestamptz IS NULL OR r.started_at < $2)
  AND ($3::bigint IS NULL OR r.agent_id = $3)
  AND ($4::bigint IS NULL OR r.customer_id = $4)
  AND ($5::text IS NULL OR r.customer_name LIKE $5)
  AND ($19::text IS NULL OR left(r.customer_name, 1) = $19)
  AND ($20::text IS NULL OR left(r.customer_name, 2) = $20)
  AND ($21::text IS NULL OR left(r.customer_name, 3) = $21)
  AND ($6::text IS NULL OR r.phone LIKE $6)
  AND ($7::text IS NULL OR r.phone_rev LIKE $7)
  AND ($8::text IS NULL OR r.direction = $8)
  AND ($9::text IS NULL OR r.disposition = $9)
  AND ($10::int IS NULL OR r.duration_ms >= $10)
  AND ($11::int IS NULL OR r.duration_ms <= $11)
  AND ($12::text IS NULL OR r.followup_kind = $12)
  AND ($13::text IS NULL OR r.followup_result = $13)
  AND ($14::bigint IS NULL OR r.followup_task_id = $14)
  AND ($15::bigint IS NULL OR r.complaint_id = $15)
  AND ($16::boolean IS NOT TRUE OR r.complaint_id IS NOT NULL)
  AND ($16::boolean IS NOT FALSE OR r.complaint_id IS NULL)
  AND ($17::text IS NULL OR r.category = $17)
  AND ($18::text IS NULL OR r.search_tsv @@ ANY (recording_words_query($18, $22::text[])))
  AND ($23::tstzrange IS NULL OR $23 @> r.started_at)
  AND ($24::timestamptz IS NULL OR (r.started_at, r.id) < ($24, $25::bigint))
ORDER BY r.started_at DESC, r.id DESC
LIMIT $26) page
JOIN recordings r ON r.id = page.id
LEFT JOIN users u ON u.id = r.agent_id
ORDER BY r.started_at DESC, r.id DESC;

-- name: count_recordings
SELECT count(*) FROM (SELECT FROM recordings r
WHERE ($1::timestamptz IS NULL OR r.started_at >= $1)
  AND ($2::timestamptz IS NULL OR r.started_at < $2)
  AND ($3::bigint IS NULL OR r.agent_id = $3)
  AND ($4::bigint IS NULL OR r.customer_id = $4)
  AND ($5::text IS NULL OR r.customer_name LIKE $5)
  AND ($19::text IS NULL OR left(r.customer_name, 1) = $19)
  AND ($20::text IS NULL OR left(r.customer_name, 2) = $20)
  AND ($21::text IS NULL OR left(r.customer_name, 3) = $21)
  AND ($6::text IS NULL OR r.phone LIKE $6)
  AND ($7::text IS NULL OR r.phone_rev LIKE $7)
  AND ($8::text IS NULL OR r.direction = $8)
  AND ($9::text IS NULL OR r.disposition = $9)
  AND ($10::int IS NULL OR r.duration_ms >= $10)
  AND ($11::int IS NULL OR r.duration_ms <= $11)
  AND ($12::text IS NULL OR r.followup_kind = $12)
  AND ($13::text IS NULL OR r.followup_result = $13)
  AND ($14::bigint IS NULL OR r.followup_task_id = $14)
  AND ($15::bigint IS NULL OR r.complaint_id = $15)
  AND ($16::boolean IS NOT TRUE OR r.complaint_id IS NOT NULL)
  AND ($16::boolean IS NOT FALSE OR r.complaint_id IS NULL)
  AND ($17::text IS NULL OR r.category = $17)
  AND ($18::text IS NULL OR r.search_tsv @@ ANY (recording_words_query($18, $22::text[])))
  AND ($23::tstzrange IS NULL OR $23 @> r.started_at)
LIMIT $24) matches;

-- name: get_recording
SELECT r.id, r.call_id, r.path, r.status, r.format, r.size_bytes, r.duration_ms, r.sha256,
       r.peaks, r.transcript, r.started_at, r.direction, r.disposition, r.category,
       r.agent_id, u.display_name AS agent_name, r.customer_id, r.customer_name, r.phone,
       r.vehicle_id, v.plate, v.model, r.followup_task_id, r.followup_kind,
       r.followup_result, r.complaint_id, r.purged_at, c.linkedid, c.notes,
       c.answered_at, c.ended_at
FROM recordings r
LEFT JOIN users u ON u.id = r.agent_id
LEFT JOIN calls c ON c.id = r.call_id
LEFT JOIN vehicles v ON v.id = r.vehicle_id
WHERE r.id = $1;

-- name: known_paths
SELECT id, path, status FROM recordings WHERE status IN ('ready', 'pending', 'missing');

-- name: files_in_use
-- Of these files (relative path, and the linkedid MixMonitor named each after), those a
-- recording row points to or whose call is still open (a caller waiting in the queue
-- has an empty file for as long as the wait lasts).
SELECT f.path FROM unnest($1::text[], $2::text[]) AS f(path, linkedid)
WHERE EXISTS (SELECT 1 FROM recordings r WHERE r.path = f.path)
   OR EXISTS (SELECT 1 FROM calls c WHERE c.linkedid = f.linkedid AND c.ended_at IS NULL);

-- name: due_for_purge
SELECT id, path FROM recordings
WHERE status = 'ready' AND started_at < now() - make_interval(days => $1)
ORDER BY started_at LIMIT $2;

-- name: mark_purged
UPDATE recordings SET status = 'purged', purged_at = now()
WHERE id = $1 AND status = 'ready'
RETURNING id;

-- name: audit
INSERT INTO audit_log (actor_id, action, target_type, target_id, remote_addr, details)
VALUES ($1, $2, 'recording', $3, $4, $5);

-- A player fetches one recording in many Range requests (every seek is one): a play is
-- the request from the start, and any other is written only when the same user has no
-- row for that recording in the last half hour, so nothing is fetched unrecorded.
-- name: audit_playback
INSERT INTO audit_log (actor_id, action, target_type, target_id, remote_addr, details)
SELECT $1, $2, 'recording', $3, $4, $5
WHERE $6 OR NOT EXISTS (
    SELECT 1 FROM audit_log
    WHERE target_type = 'recording' AND target_id = $3 AND actor_id = $1
      AND at > now() - interval '30 minutes');

-- name: list_audit
SELECT a.id, a.at, a.actor_id, u.username AS actor, a.action, a.target_type, a.target_id,
       a.remote_addr, a.details
FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
WHERE ($1::text IS NULL OR a.target_type = $1)
  AND ($2::text IS NULL OR a.target_id = $2)
  AND ($3::bigint IS NULL OR a.actor_id = $3)
  AND ($4::bigint IS NULL OR a.id < $4)
ORDER BY a.id DESC
LIMIT $5;
