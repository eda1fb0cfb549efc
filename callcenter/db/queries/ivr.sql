-- name: record_session
-- Written when the session ends (also on hang-up). A second write of the same channel
-- (an AGI re-entered from the dialplan) keeps the first start and appends the path.
INSERT INTO ivr_sessions (uniqueid, linkedid, call_id, caller_number, customer_id,
                          started_at, ended_at, path, result, language, said)
VALUES ($1, $2, (SELECT id FROM calls WHERE linkedid = $2), $3, $4, $5, now(), $6, $7, $8,
        $9)
ON CONFLICT (uniqueid) DO UPDATE
SET ended_at = EXCLUDED.ended_at,
    call_id = coalesce(ivr_sessions.call_id, EXCLUDED.call_id),
    customer_id = coalesce(EXCLUDED.customer_id, ivr_sessions.customer_id),
    path = ivr_sessions.path || EXCLUDED.path,
    said = ivr_sessions.said || EXCLUDED.said,
    language = coalesce(EXCLUDED.language, ivr_sessions.language),
    result = EXCLUDED.result;
