-- name: insert_sms
-- One message per cause: a second message with the same dedupe key is dropped here,
-- so retrying whatever queued it never texts the customer twice.
INSERT INTO sms_outbox (customer_id, phone, kind, body, dedupe_key)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id;

-- name: claim_next
-- $1: ids this worker already tried in the current round. The row stays locked until
-- the caller's transaction ends; other workers skip it instead of waiting for it.
-- $2: the worker's clock. $3: quiet hours, when only messages to staff (no customer)
-- are sent. Ordered by next_attempt_at alone, which the partial index sms_outbox_due
-- gives: a day's greetings are queued in one statement, with one timestamp, and a tie
-- broken by id made every claim sort all of them (200 ms each for 190,000 due
-- messages, instead of 0.1 ms). Ties go in the index's order, about as inserted.
SELECT id, phone, kind, body, attempts
FROM sms_outbox
WHERE status = 'pending' AND next_attempt_at <= $2 AND id <> ALL($1::bigint[])
  AND (NOT $3 OR customer_id IS NULL)
ORDER BY next_attempt_at
LIMIT 1
FOR UPDATE SKIP LOCKED;

-- name: hold_until
-- Quiet hours: customers' messages due before their end ($1) wait for it, which is
-- what the outbox then shows as their next attempt.
UPDATE sms_outbox
SET next_attempt_at = $1
WHERE status = 'pending' AND next_attempt_at < $1 AND customer_id IS NOT NULL;

-- name: mark_sent
-- clock_timestamp(), not now(): the transaction began before the send, which may have
-- taken seconds.
UPDATE sms_outbox
SET status = 'sent', sent_at = clock_timestamp(), attempts = attempts + 1
WHERE id = $1;

-- name: mark_failed
-- $2 the error, $3 seconds until the next attempt. The message stays pending.
UPDATE sms_outbox
SET attempts = attempts + 1, last_error = $2,
    next_attempt_at = clock_timestamp() + make_interval(secs => $3)
WHERE id = $1;
