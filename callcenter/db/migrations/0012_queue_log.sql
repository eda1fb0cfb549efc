-- Asterisk's queue_log, written by Asterisk itself (res_config_pgsql: extconfig.conf
-- "queue_log => pgsql,general,queue_log") and completed from its queue_log file by the
-- server for the lines Asterisk could not write (docs/queue_statistics.md).
--
-- The columns are the ones Asterisk's logger stores: time ("%F %T.%6q" text, in UTC
-- with logger.conf queue_log_realtime_use_gmt = yes), callid, queuename, agent, event
-- and data1..data5 when it found those columns at start ("adaptive" realtime), else one
-- "data" column holding the fields joined by "|": a trigger splits that into
-- data1..data5, so the statistics read one shape whichever way Asterisk wrote.
CREATE TABLE queue_log (
    id        bigserial PRIMARY KEY,
    time      timestamptz NOT NULL DEFAULT now(),
    callid    text NOT NULL DEFAULT '',
    queuename text NOT NULL DEFAULT '',
    agent     text NOT NULL DEFAULT '',
    event     text NOT NULL DEFAULT '',
    data      text,
    data1     text NOT NULL DEFAULT '',
    data2     text NOT NULL DEFAULT '',
    data3     text NOT NULL DEFAULT '',
    data4     text NOT NULL DEFAULT '',
    data5     text NOT NULL DEFAULT ''
);

CREATE FUNCTION queue_log_split_data() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.data IS NOT NULL AND NEW.data <> '' THEN
        NEW.data1 := split_part(NEW.data, '|', 1);
        NEW.data2 := split_part(NEW.data, '|', 2);
        NEW.data3 := split_part(NEW.data, '|', 3);
        NEW.data4 := split_part(NEW.data, '|', 4);
        -- the fifth field keeps whatever followed it
        NEW.data5 := array_to_string((string_to_array(NEW.data, '|'))[5:], '|');
        NEW.data := NULL;
    END IF;
    -- Asterisk sends NULL for a field it has no value for
    NEW.callid := coalesce(NEW.callid, '');
    NEW.queuename := coalesce(NEW.queuename, '');
    NEW.agent := coalesce(NEW.agent, '');
    NEW.event := coalesce(NEW.event, '');
    NEW.data1 := coalesce(NEW.data1, '');
    NEW.data2 := coalesce(NEW.data2, '');
    NEW.data3 := coalesce(NEW.data3, '');
    NEW.data4 := coalesce(NEW.data4, '');
    NEW.data5 := coalesce(NEW.data5, '');
    RETURN NEW;
END $$;

CREATE TRIGGER queue_log_split_data BEFORE INSERT ON queue_log
    FOR EACH ROW EXECUTE FUNCTION queue_log_split_data();

-- The statistics read a time range (the board: today); the file import looks a line up
-- by its call, event and time.
CREATE INDEX queue_log_time ON queue_log (time);
CREATE INDEX queue_log_line ON queue_log (callid, event, time);

-- How far the server has read the queue_log file: the next line starts at "position"
-- of the file with that inode (a rotated file starts again at 0).
CREATE TABLE queue_log_file (
    path     text PRIMARY KEY,
    inode    bigint NOT NULL,
    position bigint NOT NULL CHECK (position >= 0),
    read_at  timestamptz NOT NULL DEFAULT now()
);
