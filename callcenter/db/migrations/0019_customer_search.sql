-- Customer search by name, phone digits, plate or VIN, fast on a million customers
-- (domain/customer_search.py says what a query means; docs/customers.md). pg_trgm is
-- not in the embedded PostgreSQL, so each shape has an index of its own in core
-- PostgreSQL: btree prefixes for names, plates and VIN ends, GIN over 4-digit runs for
-- any digits inside a number.

-- A number as people read it, digits only: Chinese mobiles and 400/800 numbers as they
-- are dialled at home (18903423667), landlines with their leading 0 (075581351929);
-- other countries' numbers as their E.164 digits (web/phones.js shows them the same way).
-- Kept as a column: the index below reads it twelve times per number.
CREATE FUNCTION phone_national_digits(e164 text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN e164 NOT LIKE '+86%' THEN substr(e164, 2)
        WHEN substr(e164, 4, 1) = '1' OR substr(e164, 4, 3) IN ('400', '800')
            THEN substr(e164, 4)
        ELSE '0' || substr(e164, 4) END
$$;

ALTER TABLE customer_phones
    ADD COLUMN national_digits text GENERATED ALWAYS AS (phone_national_digits(e164)) STORED;

-- The runs of 4 digits of ``digits`` as numbers (0755 -> 755: every run has 4 digits, so
-- none is mistaken for another), NULL where the text is too short; at most 12, the runs
-- of a 15-digit number. A number holding a query's digits holds all of the query's runs,
-- so GIN finds the candidates (a few hundred for 4 digits among 1.4 million numbers) and
-- a LIKE on the number keeps the true ones; a query's own runs are taken without the
-- NULLs (array_remove). Integers, not text: GIN compares keys while it builds and
-- searches, and integer keys built 4 times faster than text ones (which compare by
-- collation); a plain expression of built-in functions that PostgreSQL inlines, not a
-- set-returning subquery per row (100 us a number).
CREATE FUNCTION digit_grams(digits text) RETURNS int[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        CASE WHEN length(digits) >= 4 THEN substr(digits, 1, 4)::int END,
        CASE WHEN length(digits) >= 5 THEN substr(digits, 2, 4)::int END,
        CASE WHEN length(digits) >= 6 THEN substr(digits, 3, 4)::int END,
        CASE WHEN length(digits) >= 7 THEN substr(digits, 4, 4)::int END,
        CASE WHEN length(digits) >= 8 THEN substr(digits, 5, 4)::int END,
        CASE WHEN length(digits) >= 9 THEN substr(digits, 6, 4)::int END,
        CASE WHEN length(digits) >= 10 THEN substr(digits, 7, 4)::int END,
        CASE WHEN length(digits) >= 11 THEN substr(digits, 8, 4)::int END,
        CASE WHEN length(digits) >= 12 THEN substr(digits, 9, 4)::int END,
        CASE WHEN length(digits) >= 13 THEN substr(digits, 10, 4)::int END,
        CASE WHEN length(digits) >= 14 THEN substr(digits, 11, 4)::int END,
        CASE WHEN length(digits) >= 15 THEN substr(digits, 12, 4)::int END]
$$;

CREATE INDEX customer_phones_digit_grams ON customer_phones USING gin (digit_grams(national_digits));

-- A plate as typed without its separators (粤B·12345, 粤B 12345 -> 粤B12345), upper case;
-- the same characters as domain/customer_search.py SEPARATORS.
CREATE FUNCTION plate_key(plate text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT upper(translate(plate, ' ·•.-_()/　', ''))
$$;

-- The same without its province character (B12345): what people say when the province
-- goes without saying.
CREATE FUNCTION plate_bare(plate text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT regexp_replace(plate_key(plate), '^[^A-Z0-9]+', '')
$$;

CREATE INDEX vehicles_plate_bare ON vehicles (plate_bare(plate) text_pattern_ops)
    WHERE plate IS NOT NULL;

-- A VIN from its end (the last 6 are the serial number people read off the card).
CREATE INDEX vehicles_vin_suffix ON vehicles (reverse(vin) text_pattern_ops);

-- A name from its beginning, in name order: the page is the index's first rows even for
-- a surname a tenth of the customers share (0010's customers_name_prefix has no id to
-- break ties, which then have to be sorted).
CREATE INDEX customers_name_search ON customers (name text_pattern_ops, id);
DROP INDEX customers_name_prefix;
