-- name: everyone
-- A holiday: every customer's numbers not found to be wrong, in the customer's order,
-- customers by id (a number shared by several customers is greeted for the first of
-- them); never a do-not-disturb customer. Which number is a mobile is decided by the
-- caller (a regular expression per row costs more here than the whole join).
SELECT c.id, c.name, c.birthday, p.e164
FROM customers c
JOIN customer_phones p ON p.customer_id = c.id
WHERE NOT c.do_not_disturb AND p.invalid_at IS NULL
ORDER BY c.id, p.position, p.id;

-- name: born_on
-- Another day: the same for the customers born on one of the days $1 (month * 100 +
-- day), found through the index customers_birth_day (migration 0020) when it exists.
SELECT c.id, c.name, c.birthday, p.e164
FROM customers c
JOIN customer_phones p ON p.customer_id = c.id
WHERE (extract(month FROM c.birthday) * 100 + extract(day FROM c.birthday))::int
          = ANY($1::int[])
  AND NOT c.do_not_disturb AND p.invalid_at IS NULL
ORDER BY c.id, p.position, p.id;

-- name: insert_greetings
-- One row per greeting; a dedupe key queued before (the same customer, occasion and
-- year) is left out, so a day run again queues nothing new.
INSERT INTO sms_outbox (customer_id, phone, kind, body, dedupe_key)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
ON CONFLICT (dedupe_key) DO NOTHING;
