-- Every inbound call has its row from the moment it arrives, not only once it reaches
-- the agents' queue: a caller served (or lost) in the IVR ends with disposition 'ivr'.
ALTER TABLE calls DROP CONSTRAINT calls_disposition_check;
ALTER TABLE calls ADD CONSTRAINT calls_disposition_check CHECK (disposition IN (
    'answered', 'busy', 'no_answer', 'unreachable', 'failed', 'abandoned',
    'agent_no_answer', 'wrong_number', 'ivr'));
