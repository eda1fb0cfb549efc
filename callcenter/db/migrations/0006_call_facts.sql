-- Calls durable as they happen: every fact a restarted server needs to finish a live
-- call is in its row the moment it is known (services/calls.py), not kept in memory
-- until the hang-up.
ALTER TABLE calls
    ADD COLUMN agent_answered_at timestamptz,
    -- outbound: the customer's leg (the Dial the dialplan runs after the agent answers)
    ADD COLUMN customer_uniqueid text,
    ADD COLUMN customer_channel  text,
    -- inbound: the queue member who answered and their leg
    ADD COLUMN agent_interface   text,
    ADD COLUMN agent_uniqueid    text,
    -- MixMonitor's file, relative to the recordings folder, as the dialplan named it
    ADD COLUMN recording_file    text,
    -- when the row last learned something: the last moment the call was known alive
    ADD COLUMN updated_at        timestamptz NOT NULL DEFAULT now(),
    -- its end happened while no server watched: times inferred (docs/calls.md)
    ADD COLUMN ended_unseen      boolean NOT NULL DEFAULT false;
