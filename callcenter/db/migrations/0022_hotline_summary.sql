-- The hotline queue's figures (docs/queue_statistics.md) from a summary of queue_log,
-- kept by a trigger as lines arrive (Asterisk's own inserts, the file import), so a
-- request reads a bounded number of small rows, never the lines.
--
-- Every line counts on its own (docs/queue_statistics.md: a caller on the line where
-- they left the queue, a conversation on the line that ended it), so a line's
-- contribution is known from the line alone. The thresholds T (service level) and S
-- (short abandon) are settings read at request time: the waits are kept as a
-- histogram, one row per whole second of wait, so "answered within T" is a sum over
-- the rows of wait_s <= T. Waits of report_queue_cap() seconds and more share the row
-- wait_s = cap: T below the cap and S up to it are exact (the server reads the lines
-- instead for larger thresholds); sums and the longest wait are kept exactly beside
-- (wait_sum, wait_max), so neither depends on the cap.
--
-- A row's day and hour are in the center's zone (report_local, report_zone of 0014):
-- reports_set_zone() rebuilds this summary with the others when the zone changes.

CREATE FUNCTION report_queue_cap() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 600';

-- By day and one dimension's value: 'all' (value ''), 'hour' ('00'..'23', local),
-- 'queue' (the queue's name), 'agent' (as queue_log names them; '' for none).
-- wait_s: the caller's wait, capped; -1 on a line ending a conversation (talk_sum);
-- -2 on a line of those events whose seconds are not a number (it counts nowhere, as
-- in the figures from the lines, but keeps its bucket).
CREATE TABLE report_queue (
    dimension text NOT NULL,
    day       date NOT NULL,
    value     text NOT NULL,
    event     text NOT NULL,
    wait_s    integer NOT NULL,
    lines     integer NOT NULL,
    wait_sum  bigint NOT NULL,
    wait_max  integer NOT NULL,
    talk_sum  bigint NOT NULL,
    PRIMARY KEY (dimension, day, value, event, wait_s)
);

-- A line's contribution: one row per dimension (none for a line no figure reads).
CREATE FUNCTION report_queue_rows(q queue_log, zone text)
RETURNS TABLE (dimension text, day date, value text, event text, wait_s integer,
               lines integer, wait_sum bigint, wait_max integer, talk_sum bigint)
LANGUAGE sql STABLE AS $$
    SELECT d.dimension, local::date, d.value, q.event,
           CASE WHEN n.wait IS NOT NULL THEN least(n.wait, report_queue_cap())
                WHEN n.talk IS NOT NULL THEN -1 ELSE -2 END,
           1, coalesce(n.wait, 0)::bigint, coalesce(n.wait, 0), coalesce(n.talk, 0)::bigint
    FROM (SELECT q.time AT TIME ZONE zone) AS l (local),
         LATERAL (SELECT CASE WHEN f.wait ~ '^[0-9]{1,9}$' THEN f.wait::integer END,
                         CASE WHEN f.talk ~ '^[0-9]{1,9}$' THEN f.talk::integer END
                  FROM (SELECT CASE q.event WHEN 'CONNECT' THEN q.data1
                                            WHEN 'ABANDON' THEN q.data3
                                            WHEN 'EXITWITHTIMEOUT' THEN q.data3
                                            WHEN 'EXITEMPTY' THEN q.data3
                                            WHEN 'EXITWITHKEY' THEN q.data4 END,
                               CASE WHEN q.event IN ('COMPLETEAGENT', 'COMPLETECALLER')
                                        THEN q.data2
                                    WHEN q.event IN ('TRANSFER', 'BLINDTRANSFER',
                                                     'ATTENDEDTRANSFER') THEN q.data4 END
                       ) AS f (wait, talk)) AS n (wait, talk),
         LATERAL (VALUES ('all', ''), ('hour', to_char(local, 'HH24')),
                         ('queue', q.queuename),
                         ('agent', CASE WHEN q.agent IN ('NONE', '') THEN '' ELSE q.agent END)
                 ) AS d (dimension, value)
    WHERE q.event IN ('CONNECT', 'ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY', 'EXITWITHKEY',
                      'COMPLETEAGENT', 'COMPLETECALLER', 'TRANSFER', 'BLINDTRANSFER',
                      'ATTENDEDTRANSFER')
$$;

-- Asterisk inserts with a role that may only insert: the function runs as its owner,
-- and a failure here never refuses Asterisk's line (the summary then misses it until
-- reports_rebuild()). Lines are only ever inserted (that role may not update or delete);
-- a line changed or deleted by hand needs reports_rebuild().
CREATE FUNCTION report_queue_change() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO report_queue AS r
    SELECT x.* FROM report_queue_rows(NEW, (SELECT tz FROM report_zone)) x
    ON CONFLICT (dimension, day, value, event, wait_s) DO UPDATE SET
        lines = r.lines + EXCLUDED.lines, wait_sum = r.wait_sum + EXCLUDED.wait_sum,
        wait_max = greatest(r.wait_max, EXCLUDED.wait_max),
        talk_sum = r.talk_sum + EXCLUDED.talk_sum;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'report_queue: queue_log line % not summed: %', NEW.id, SQLERRM;
    RETURN NULL;
END $$;

CREATE TRIGGER report_queue_insert AFTER INSERT ON queue_log
    FOR EACH ROW WHEN (NEW.event IN ('CONNECT', 'ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY',
                                     'EXITWITHKEY', 'COMPLETEAGENT', 'COMPLETECALLER',
                                     'TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER'))
    EXECUTE FUNCTION report_queue_change();

-- The summary again from every line, set-based, in the order of its key. Asterisk's
-- inserts never wait on it (as for the pauses of 0014): a line arriving meanwhile may
-- be summed twice or not at all.
CREATE FUNCTION report_queue_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    zone text := (SELECT tz FROM report_zone);
BEGIN
    TRUNCATE report_queue;
    INSERT INTO report_queue
    SELECT x.dimension, x.day, x.value, x.event, x.wait_s, sum(x.lines), sum(x.wait_sum),
           max(x.wait_max), sum(x.talk_sum)
    FROM queue_log q, LATERAL report_queue_rows(q, zone) x
    WHERE q.event IN ('CONNECT', 'ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY', 'EXITWITHKEY',
                      'COMPLETEAGENT', 'COMPLETECALLER', 'TRANSFER', 'BLINDTRANSFER',
                      'ATTENDEDTRANSFER')
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
END $$;

-- One rebuild for every summary (reports_set_zone calls it): the one before, and this.
ALTER FUNCTION reports_rebuild() RENAME TO reports_rebuild_before_0022;
CREATE FUNCTION reports_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_rebuild_before_0022();
    PERFORM report_queue_rebuild();
END $$;

SELECT report_queue_rebuild();
