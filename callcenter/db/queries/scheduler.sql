-- name: finished_days
-- $1 rule, $2 first day, $3 last day: the days of that range the rule has done
SELECT day FROM scheduler_runs
WHERE rule = $1 AND day BETWEEN $2 AND $3 AND finished_at IS NOT NULL;

-- name: first_day
-- The first day a rule was ever tried (its history starts there); NULL: never.
SELECT min(day) FROM scheduler_runs WHERE rule = $1;

-- name: lock_rule
-- Held to the end of the claiming transaction: a second server waits here, then finds
-- the day done, instead of doing the work too and rolling back at the primary key.
SELECT pg_advisory_xact_lock(hashtextextended('callcenter.scheduler:' || $1::text, 0));

-- name: claim
-- The ledger row of (rule, day), unless the day is already done (no row returned).
INSERT INTO scheduler_runs (rule, day, started_at) VALUES ($1, $2, $3)
ON CONFLICT (rule, day) DO UPDATE SET started_at = EXCLUDED.started_at
WHERE scheduler_runs.finished_at IS NULL
RETURNING rule;

-- name: finish
UPDATE scheduler_runs SET finished_at = $3, made = $4, error = NULL
WHERE rule = $1 AND day = $2;

-- name: record_failure
-- In its own statement after the rule's transaction rolled back: seen in the run log,
-- the day retried on the next wake.
INSERT INTO scheduler_runs (rule, day, started_at, error, failures) VALUES ($1, $2, $3, $4, 1)
ON CONFLICT (rule, day) DO UPDATE
SET error = EXCLUDED.error, failures = scheduler_runs.failures + 1,
    started_at = EXCLUDED.started_at
WHERE scheduler_runs.finished_at IS NULL;

-- name: runs
-- $1 first day, $2 last day
SELECT rule, day, started_at, finished_at, made, error, failures FROM scheduler_runs
WHERE day BETWEEN $1 AND $2
ORDER BY day DESC, started_at DESC, rule
LIMIT 2000;
