-- Abandoned callers to call back (services/callbacks.py, docs/calls.md).

-- name: abandoned_callers
-- The abandoned inbound calls that started in [$1, $2), one row per caller number, the
-- latest first, without the numbers reached since: a later inbound call from the number
-- that an agent answered, or a later outbound call to it that was answered. Only E.164
-- numbers (both columns hold E.164 when the number parsed): a withheld or unparsable
-- one cannot be called back. A wait is the call's arrival to its hang-up (IVR included).
WITH abandoned AS (
    SELECT id, caller_number, customer_id, ivr_choice, started_at,
           COALESCE(ended_at, started_at) AS ended_at
    FROM calls
    WHERE direction = 'inbound' AND disposition = 'abandoned'
      AND started_at >= $1 AND started_at < $2 AND caller_number LIKE '+%'
), callers AS (
    SELECT caller_number AS phone, count(*)::int AS abandoned_count,
           max(started_at) AS last_started_at, max(ended_at) AS last_abandoned_at,
           floor(max(EXTRACT(EPOCH FROM ended_at - started_at)))::int
               AS longest_wait_seconds,
           array_agg(id ORDER BY started_at DESC, id DESC) AS call_ids,
           (array_agg(ivr_choice ORDER BY started_at DESC, id DESC)
               FILTER (WHERE ivr_choice IS NOT NULL))[1] AS ivr_choice,
           (array_agg(customer_id ORDER BY started_at DESC, id DESC)
               FILTER (WHERE customer_id IS NOT NULL))[1] AS customer_id
    FROM abandoned
    GROUP BY caller_number
)
SELECT k.phone, k.customer_id, cu.name AS customer_name, k.abandoned_count,
       k.last_abandoned_at, k.longest_wait_seconds, k.ivr_choice, k.call_ids
FROM callers k
LEFT JOIN customers cu ON cu.id = k.customer_id
WHERE NOT EXISTS (SELECT 1 FROM calls a
                  WHERE a.direction = 'inbound' AND a.answered_at IS NOT NULL
                    AND a.caller_number = k.phone AND a.started_at > k.last_started_at)
  AND NOT EXISTS (SELECT 1 FROM calls a
                  WHERE a.direction = 'outbound' AND a.answered_at IS NOT NULL
                    AND a.callee_number = k.phone AND a.started_at > k.last_started_at)
ORDER BY k.last_abandoned_at DESC, k.phone;

-- name: abandoned_number
-- The number to call back for abandoned inbound call $1 (none: not such a call, or a
-- number that cannot be dialed).
SELECT caller_number FROM calls
WHERE id = $1 AND direction = 'inbound' AND disposition = 'abandoned'
  AND caller_number LIKE '+%';
