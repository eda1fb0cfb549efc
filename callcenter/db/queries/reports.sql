-- Management reports: every statement reads the summaries of migration 0014 over a
-- range of days (at most 366 days of small rows), never the rows they sum.

-- name: set_zone
SELECT reports_set_zone($1);

-- name: followup_sums
-- $1..$2 the days (both included), $3 kind or NULL, $4 agent id (0: nobody) or NULL,
-- $5 the bucket: kind | agent | week (its Monday) | month (YYYY-MM), $6 today (a task
-- still pending after its due day is overdue). Tasks count in the bucket of their due
-- day, attempts in the bucket of the day they were made.
WITH tasks AS (
    SELECT CASE $5 WHEN 'kind' THEN kind
                   WHEN 'agent' THEN agent_id::text
                   WHEN 'week' THEN (due_date - (extract(isodow FROM due_date)::int - 1))::text
                   ELSE to_char(due_date, 'YYYY-MM') END AS bucket,
           sum(due) AS due, sum(in_time) AS in_time, sum(late) AS late,
           sum(unreachable) AS unreachable, sum(sms) AS sms, sum(pending) AS pending,
           coalesce(sum(pending) FILTER (WHERE due_date < $6), 0) AS overdue,
           sum(completed_attempts) AS completed_attempts
    FROM report_followups
    WHERE due_date BETWEEN $1 AND $2 AND ($3::text IS NULL OR kind = $3)
      AND ($4::bigint IS NULL OR agent_id = $4)
    GROUP BY 1
), tries AS (
    SELECT CASE $5 WHEN 'kind' THEN kind
                   WHEN 'agent' THEN agent_id::text
                   WHEN 'week' THEN (day - (extract(isodow FROM day)::int - 1))::text
                   ELSE to_char(day, 'YYYY-MM') END AS bucket,
           sum(attempts) AS attempts, sum(answered) AS answered
    FROM report_attempts
    WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR kind = $3)
      AND ($4::bigint IS NULL OR agent_id = $4)
    GROUP BY 1
)
SELECT bucket, coalesce(due, 0)::int AS due, coalesce(in_time, 0)::int AS in_time,
       coalesce(late, 0)::int AS late, coalesce(unreachable, 0)::int AS unreachable,
       coalesce(sms, 0)::int AS sms, coalesce(pending, 0)::int AS pending,
       coalesce(overdue, 0)::int AS overdue,
       coalesce(completed_attempts, 0)::int AS completed_attempts,
       coalesce(attempts, 0)::int AS attempts, coalesce(answered, 0)::int AS answered
FROM tasks FULL JOIN tries USING (bucket)
ORDER BY bucket;

-- name: call_sums
-- $1..$2 the days, $3 the direction or NULL. One row per dimension and value; 'weekday'
-- (ISO, 1 = Monday) and 'direction' come from the 'all' rows.
SELECT CASE WHEN dimension <> 'all' THEN dimension
            WHEN grouping(weekday) = 0 THEN 'weekday' ELSE 'direction' END AS dimension,
       CASE WHEN dimension <> 'all' THEN value
            WHEN grouping(weekday) = 0 THEN weekday::text ELSE direction END AS value,
       sum(calls)::bigint AS calls, sum(answered)::bigint AS answered,
       sum(talk_seconds) AS talk_seconds, sum(wrapped)::bigint AS wrapped,
       sum(wrap_seconds) AS wrap_seconds
FROM (SELECT *, extract(isodow FROM day)::int AS weekday FROM report_calls
      WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR direction = $3)) AS days
GROUP BY GROUPING SETS ((dimension, value), (dimension, direction), (dimension, weekday))
HAVING (dimension = 'all') <> (grouping(value) = 0) AND sum(calls) <> 0
ORDER BY 1, 2;

-- name: completion_sums
-- $1..$2 the days: each agent's completed follow-ups, their scores and the highest
-- scores their questionnaires allow.
SELECT agent_id, sum(completed)::int AS completed, sum(score_sum) AS score_sum,
       sum(score_max) AS score_max
FROM report_completions
WHERE day BETWEEN $1 AND $2
GROUP BY agent_id
HAVING sum(completed) <> 0;

-- name: user_names
SELECT id, coalesce(nullif(display_name, ''), username) AS name FROM users
WHERE id = ANY($1::bigint[]);

-- name: agents
-- What a report's agent filter offers: every user, the inactive too (their past work
-- is in the reports; supervisors make calls as well).
SELECT id, coalesce(nullif(display_name, ''), username) AS name FROM users
ORDER BY 2, 1;

-- name: pause_sums
-- $1..$2 the days: each queue member's pauses (begun on those days) by reason.
SELECT member, reason, sum(pauses)::int AS pauses, sum(seconds) AS seconds
FROM report_pauses
WHERE day BETWEEN $1 AND $2
GROUP BY member, reason
HAVING sum(pauses) <> 0
ORDER BY member, reason;

-- name: users_of_extensions
SELECT extension, id FROM users WHERE extension = ANY($1::text[]);
