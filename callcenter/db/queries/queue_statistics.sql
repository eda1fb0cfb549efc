-- name: sums_by
-- The sums of domain/queue_statistics.Sums by bucket, over queue_log lines in [$1, $2):
-- $3 the service-level seconds T, $4 the short-abandon seconds S, $5 the center's time
-- zone, $6 the bucket: day, hour, queue, agent, or total (one row). Each caller counts on
-- the line where they left the queue (wait field per event as WAIT_FIELD), each ended
-- conversation on its own line (TALK_FIELD).
WITH lines AS (
    SELECT CASE $6::text
               WHEN 'day' THEN to_char(time AT TIME ZONE $5::text, 'YYYY-MM-DD')
               WHEN 'hour' THEN to_char(time AT TIME ZONE $5::text, 'YYYY-MM-DD"T"HH24:00')
               WHEN 'queue' THEN queuename
               WHEN 'agent' THEN nullif(nullif(agent, 'NONE'), '')
           END AS bucket,
           event,
           CASE event WHEN 'CONNECT' THEN data1
                      WHEN 'ABANDON' THEN data3
                      WHEN 'EXITWITHTIMEOUT' THEN data3
                      WHEN 'EXITEMPTY' THEN data3
                      WHEN 'EXITWITHKEY' THEN data4
           END AS wait_text,
           CASE WHEN event IN ('COMPLETEAGENT', 'COMPLETECALLER') THEN data2
                WHEN event IN ('TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER') THEN data4
           END AS talk_text
    FROM queue_log
    WHERE time >= $1 AND time < $2
      AND event IN ('CONNECT', 'ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY', 'EXITWITHKEY',
                    'COMPLETEAGENT', 'COMPLETECALLER', 'TRANSFER', 'BLINDTRANSFER',
                    'ATTENDEDTRANSFER')
), numbers AS (
    SELECT bucket, event,
           CASE WHEN wait_text ~ '^[0-9]{1,9}$' THEN wait_text::bigint END AS wait,
           CASE WHEN talk_text ~ '^[0-9]{1,9}$' THEN talk_text::bigint END AS talk
    FROM lines
)
SELECT bucket,
       count(wait) AS offered,
       count(wait) FILTER (WHERE event = 'CONNECT') AS answered,
       count(wait) FILTER (WHERE event = 'CONNECT' AND wait <= $3) AS answered_within,
       count(wait) FILTER (WHERE event = 'ABANDON' AND wait >= $4) AS abandoned,
       count(wait) FILTER (WHERE event = 'ABANDON' AND wait < $4) AS short_abandoned,
       coalesce(sum(wait), 0)::bigint AS wait_total,
       max(wait) AS wait_longest,
       coalesce(sum(wait) FILTER (WHERE event = 'CONNECT'), 0)::bigint AS answer_wait_total,
       count(talk) AS talks,
       coalesce(sum(talk), 0)::bigint AS talk_total
FROM numbers
GROUP BY bucket
ORDER BY bucket NULLS LAST;

-- name: names_of_extensions
SELECT extension, display_name FROM users WHERE extension = ANY($1::text[]);

-- name: file_position
SELECT inode, position FROM queue_log_file WHERE path = $1;

-- name: save_file_position
INSERT INTO queue_log_file (path, inode, position) VALUES ($1, $2, $3)
ON CONFLICT (path) DO UPDATE SET inode = excluded.inode, position = excluded.position,
                                 read_at = now();

-- name: lock_file_import
-- One importer at a time (several servers on one database): the look-up below is not
-- safe against a concurrent insert of the same line.
SELECT pg_advisory_xact_lock(hashtext('queue_log_file'));

-- name: insert_missing_lines
-- The file's lines the table lacks. The file's time is whole seconds of a clock read
-- after Asterisk's insert into the table (whose time has microseconds): a line is the
-- table's when a row of the same call, event, queue, agent and data is at most $11
-- before it or within its second.
WITH inserted AS (
    INSERT INTO queue_log (time, callid, queuename, agent, event,
                           data1, data2, data3, data4, data5)
    SELECT l.time, l.callid, l.queuename, l.agent, l.event,
           l.data1, l.data2, l.data3, l.data4, l.data5
    FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[],
                $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS l(time, callid, queuename, agent, event, data1, data2, data3, data4, data5)
    WHERE NOT EXISTS (
        SELECT 1 FROM queue_log q
        WHERE q.callid = l.callid AND q.event = l.event
          AND q.time > l.time - $11::interval AND q.time < l.time + interval '1 second'
          AND q.queuename = l.queuename AND q.agent = l.agent
          AND q.data1 = l.data1 AND q.data2 = l.data2 AND q.data3 = l.data3
          AND q.data4 = l.data4 AND q.data5 = l.data5)
    RETURNING 1
)
SELECT count(*) FROM inserted;

-- name: writer_role_missing
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1);

-- name: writer_role_statements
-- What makes role $1 (password: $2, its SCRAM verifier) a login that may insert queue_log
-- lines and nothing more; its session reads Asterisk's zone-less times as UTC
-- (queue_log_realtime_use_gmt).
SELECT unnest(ARRAY[
    format('ALTER ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT',
           $1::text, $2::text),
    format('ALTER ROLE %I SET timezone TO %L', $1::text, 'UTC'),
    format('GRANT INSERT ON queue_log TO %I', $1::text),
    format('GRANT USAGE ON SEQUENCE queue_log_id_seq TO %I', $1::text)]);

-- name: create_writer_role
SELECT format('CREATE ROLE %I', $1::text);

-- name: summary_zone
-- The zone report_queue (migration 0022) counts its days in.
SELECT tz FROM report_zone;

-- name: summed_days
-- The sums of sums_by from the summary report_queue (migration 0022) over the days $1..$2
-- (both included, in its zone): $3 T, $4 S (T below the summary's cap, S at most it),
-- $5 the bucket. The callers within a threshold are one element of a row's running
-- counts of waits (waits[s + 1]: the callers who waited s seconds or less; past the
-- array's end, its last element; index 0 for S = 0: NULL, none).
SELECT CASE $5::text
           WHEN 'day' THEN to_char(day, 'YYYY-MM-DD')
           WHEN 'hour' THEN to_char(day, 'YYYY-MM-DD') || 'T' || value || ':00'
           WHEN 'queue' THEN value
           WHEN 'agent' THEN nullif(value, '')
       END AS bucket,
       sum(callers)::bigint AS offered,
       coalesce(sum(callers) FILTER (WHERE event = 'CONNECT'), 0)::bigint AS answered,
       coalesce(sum(waits[least($3 + 1, cardinality(waits))])
                FILTER (WHERE event = 'CONNECT'), 0)::bigint AS answered_within,
       coalesce(sum(callers - coalesce(waits[least($4, cardinality(waits))], 0))
                FILTER (WHERE event = 'ABANDON'), 0)::bigint AS abandoned,
       coalesce(sum(waits[least($4, cardinality(waits))])
                FILTER (WHERE event = 'ABANDON'), 0)::bigint AS short_abandoned,
       sum(wait_sum)::bigint AS wait_total,
       max(wait_max) AS wait_longest,
       coalesce(sum(wait_sum) FILTER (WHERE event = 'CONNECT'), 0)::bigint
           AS answer_wait_total,
       sum(talks)::bigint AS talks,
       sum(talk_sum)::bigint AS talk_total
FROM report_queue
WHERE dimension = CASE $5::text WHEN 'day' THEN 'all' WHEN 'total' THEN 'all' ELSE $5 END
  AND day BETWEEN $1 AND $2
GROUP BY 1
ORDER BY 1 NULLS LAST;
