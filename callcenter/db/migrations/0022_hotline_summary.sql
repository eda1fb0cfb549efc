-- The hotline queue's figures (docs/queue_statistics.md) from a summary of queue_log,
-- kept by a trigger as lines arrive (Asterisk's own inserts, the file import), so a
-- request reads a bounded number of small rows, never the lines.
--
-- Every line counts on its own (docs/queue_statistics.md: a caller on the line where
-- they left the queue, a conversation on the line that ended it), so a line's
-- contribution is known from the line alone. The thresholds T (service level) and S
-- (short abandon) are settings read at request time: the waits are kept as a
-- histogram by the whole second of wait (running counts), so "answered within T" is
-- one element of it, waits[T + 1]. Waits of report_queue_cap() seconds and more are left out of it
-- (they are over any threshold it answers): T below the cap and S up to it are exact
-- (the server reads the lines instead for larger thresholds); the sums and the longest
-- wait are kept exactly beside (wait_sum, wait_max), so neither depends on the cap.
--
-- A row's day and hour are in the center's zone (report_local, report_zone of 0014):
-- reports_set_zone() rebuilds this summary with the others when the zone changes.

CREATE FUNCTION report_queue_cap() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 600';

-- By day and one dimension's value: 'all' (value ''), 'hour' ('00'..'23', local),
-- 'queue' (the queue's name), 'agent' (as queue_log names them; '' for none), and the
-- event. callers: lines with a wait (a line whose seconds are not a number counts
-- nowhere, as in the figures from the lines, but keeps its bucket); talks: lines with
-- talk seconds. waits: the callers' waits below the cap as running counts, waits[s + 1]
-- the callers who waited s whole seconds or less (CONNECT and ABANDON rows only, the
-- ones the thresholds apply to), so a day and key is one row whatever the waits.
CREATE TABLE report_queue (
    dimension text NOT NULL,
    day       date NOT NULL,
    value     text NOT NULL,
    event     text NOT NULL,
    callers   integer NOT NULL,
    talks     integer NOT NULL,
    wait_sum  bigint NOT NULL,
    wait_max  integer,
    talk_sum  bigint NOT NULL,
    waits     integer[] NOT NULL,
    PRIMARY KEY (dimension, day, value, event)
);

-- A line's contribution: one row per dimension (none for a line no figure reads).
CREATE FUNCTION report_queue_rows(q queue_log, zone text)
RETURNS TABLE (dimension text, day date, value text, event text, callers integer,
               talks integer, wait integer, talk integer)
LANGUAGE sql STABLE AS $$
    SELECT d.dimension, local::date, d.value, q.event, (n.wait IS NOT NULL)::int,
           (n.talk IS NOT NULL)::int, n.wait, n.talk
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

-- The waits of ``counts[i]`` callers who waited ``seconds[i]``, for an event the
-- thresholds apply to, as running counts: element s + 1 is how many waited s seconds or
-- less, up to the longest wait below the cap (past the array's end: its last element);
-- '{}' for none. So a threshold's count is one element, whatever the waits.
-- (plpgsql: a SQL function's body is planned again at each of the trigger's calls)
CREATE FUNCTION report_queue_histogram(event text, seconds integer[], counts integer[])
RETURNS integer[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    cap constant integer := report_queue_cap();
    top integer;
    waits integer[];
BEGIN
    IF event NOT IN ('CONNECT', 'ABANDON') THEN
        RETURN '{}';
    END IF;
    FOR i IN 1 .. coalesce(cardinality(seconds), 0) LOOP
        IF seconds[i] < cap THEN
            top := greatest(top, seconds[i]);
        END IF;
    END LOOP;
    IF top IS NULL THEN
        RETURN '{}';
    END IF;
    waits := array_fill(0, ARRAY[top + 1]);
    FOR i IN 1 .. cardinality(seconds) LOOP
        IF seconds[i] < cap THEN
            waits[seconds[i] + 1] := waits[seconds[i] + 1] + counts[i];
        END IF;
    END LOOP;
    FOR i IN 2 .. top + 1 LOOP
        waits[i] := waits[i] + waits[i - 1];
    END LOOP;
    RETURN waits;
END $$;

-- Two histograms of running counts added.
CREATE FUNCTION report_queue_add(a integer[], b integer[]) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    la constant integer := coalesce(cardinality(a), 0);
    lb constant integer := coalesce(cardinality(b), 0);
    total integer[] := array_fill(0, ARRAY[greatest(la, lb)]);
BEGIN
    FOR i IN 1 .. greatest(la, lb) LOOP
        total[i] := coalesce(a[least(i, la)], 0) + coalesce(b[least(i, lb)], 0);
    END LOOP;
    RETURN total;
END $$;

-- The statement that adds the lines of relation ``lines`` (queue_log itself, or a
-- trigger's new rows) to the summary, set-based: by the second first, then a row per day
-- and key, in the order of its key. The trigger and the rebuild both run it: one
-- definition whichever way the summary was made.
CREATE FUNCTION report_queue_sum_statement(lines text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT format($sql$
    INSERT INTO report_queue AS r
    SELECT dimension, day, value, event, sum(callers), sum(talks), sum(wait_sum),
           max(wait_max), sum(talk_sum),
           report_queue_histogram(event, array_agg(wait) FILTER (WHERE wait IS NOT NULL),
                                  array_agg(callers::integer) FILTER (WHERE wait IS NOT NULL))
    FROM (SELECT x.dimension, x.day, x.value, x.event, x.wait, sum(x.callers) AS callers,
                 sum(x.talks) AS talks, coalesce(sum(x.wait), 0) AS wait_sum,
                 max(x.wait) AS wait_max, coalesce(sum(x.talk), 0) AS talk_sum
          FROM %I q, LATERAL report_queue_rows(q::queue_log, (SELECT tz FROM report_zone)) x
          GROUP BY 1, 2, 3, 4, 5) AS seconds
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (dimension, day, value, event) DO UPDATE SET
        callers = r.callers + EXCLUDED.callers, talks = r.talks + EXCLUDED.talks,
        wait_sum = r.wait_sum + EXCLUDED.wait_sum,
        wait_max = greatest(r.wait_max, EXCLUDED.wait_max),
        talk_sum = r.talk_sum + EXCLUDED.talk_sum,
        waits = report_queue_add(r.waits, EXCLUDED.waits)$sql$, lines)
$$;

-- Once per statement, over its new lines together: a statement of many lines (the file
-- import's chunk) updates each day and key once, not once per line. Asterisk inserts
-- with a role that may only insert: the function runs as its owner, and a failure here
-- never refuses Asterisk's line (the summary then misses it until reports_rebuild()).
-- Lines are only ever inserted (that role may not update or delete); a line changed or
-- deleted by hand needs reports_rebuild().
CREATE FUNCTION report_queue_change() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    EXECUTE report_queue_sum_statement('new_lines');
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'report_queue: queue_log lines not summed: %', SQLERRM;
    RETURN NULL;
END $$;

CREATE TRIGGER report_queue_insert AFTER INSERT ON queue_log
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION report_queue_change();

-- The summary again from every line. Asterisk's inserts never wait on it (as for the
-- pauses of 0014): a line arriving meanwhile may be summed twice or not at all.
CREATE FUNCTION report_queue_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE report_queue;
    EXECUTE report_queue_sum_statement('queue_log');
END $$;

-- One rebuild for every summary (reports_set_zone calls it): the one before, and this.
ALTER FUNCTION reports_rebuild() RENAME TO reports_rebuild_before_0022;
CREATE FUNCTION reports_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_rebuild_before_0022();
    PERFORM report_queue_rebuild();
END $$;

SELECT report_queue_rebuild();
