-- name: recipients
-- The customers to greet on a day, each with the first of their numbers that is a
-- mobile ($4: a regular expression over E.164) and not found to be wrong; never a
-- do-not-disturb customer. $1 true (a holiday): every customer; false: only those
-- born on one of the (month $2[i], day $3[i]) pairs. Ordered by id: a number shared
-- by several customers gets a holiday's greeting for the first of them only.
SELECT c.id, c.name, c.birthday, m.e164
FROM customers c
CROSS JOIN LATERAL (
    SELECT p.e164 FROM customer_phones p
    WHERE p.customer_id = c.id AND p.invalid_at IS NULL AND p.e164 ~ $4
    ORDER BY p.position, p.id
    LIMIT 1
) m
WHERE NOT c.do_not_disturb
  AND ($1 OR (extract(month FROM c.birthday)::int, extract(day FROM c.birthday)::int)
             IN (SELECT * FROM unnest($2::int[], $3::int[])))
ORDER BY c.id;

-- name: insert_greetings
-- One row per greeting; a dedupe key queued before (the same customer, occasion and
-- year) is left out, so a day run again queues nothing new.
INSERT INTO sms_outbox (customer_id, phone, kind, body, dedupe_key)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
ON CONFLICT (dedupe_key) DO NOTHING;
