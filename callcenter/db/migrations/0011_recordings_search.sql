-- Recording search that stays fast at millions of rows (docs/recordings.md, "How it
-- stays fast"). Every search shape gets an index whose leading equality columns match
-- its filters and whose tail is the page order (started_at DESC, id DESC), so a page is
-- the first rows of one index range and a bounded count stops after its bound, however
-- large the table grows.

-- Customer name prefixes of one, two and three characters (a surname, 欧阳 or 王伟, a
-- full name): "starts with" as an equality, in page order. A longer prefix adds its
-- LIKE to the three-character range. They replace 0004's text_pattern_ops index, whose
-- range is in name order: a common prefix read every match to find the newest.
DROP INDEX recordings_customer_name;
CREATE INDEX recordings_name1 ON recordings (left(customer_name, 1), started_at DESC, id DESC)
    WHERE customer_name IS NOT NULL;
CREATE INDEX recordings_name2 ON recordings (left(customer_name, 2), started_at DESC, id DESC)
    WHERE customer_name IS NOT NULL;
CREATE INDEX recordings_name3 ON recordings (left(customer_name, 3), started_at DESC, id DESC)
    WHERE customer_name IS NOT NULL;

-- An agent's calls, with what is filtered beside the agent in the index itself: "this
-- agent, answered, at least 5 minutes" is counted from the index alone.
DROP INDEX recordings_agent;
CREATE INDEX recordings_agent ON recordings (agent_id, started_at DESC, id DESC)
    INCLUDE (disposition, duration_ms, direction, category);

-- Follow-up outcome: kind and result ("service, dissatisfied"), or the result alone.
CREATE INDEX recordings_followup_outcome
    ON recordings (followup_kind, followup_result, started_at DESC, id DESC)
    WHERE followup_kind IS NOT NULL;
CREATE INDEX recordings_followup_result ON recordings (followup_result, started_at DESC, id DESC)
    WHERE followup_result IS NOT NULL;

-- Linked to a complaint (about 1 % of calls), in page order.
CREATE INDEX recordings_complaint_linked ON recordings (started_at DESC, id DESC)
    WHERE complaint_id IS NOT NULL;

-- Words within dates. Core PostgreSQL cannot put a time column into a GIN index
-- (btree_gin is contrib), and a common word's whole posting list grows with the table.
-- So every word is also indexed with the call's UTC month and day ('刹车',
-- '刹车~m202605', '刹车~d20260509'; words are segmented in Python, which splits at
-- every character that is neither a letter nor a digit, so no word holds a '~'), and a
-- search within dates asks for each word in the months and days that cover them: GIN
-- reads only those dates' postings.
CREATE FUNCTION recording_search_words(words text, at timestamptz) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(COALESCE(array_agg(term), '{}'))
    FROM unnest(tsvector_to_array(to_tsvector('simple', words))) AS w(word),
         LATERAL (VALUES (word),
                         (word || '~m' || to_char(at AT TIME ZONE 'UTC', 'YYYYMM')),
                         (word || '~d' || to_char(at AT TIME ZONE 'UTC', 'YYYYMMDD')))
             AS t(term)
$$;

-- Every word of ``words``, each in one of ``periods`` ('~m202605', '~d20260509'; as
-- domain/recordings.py covering_periods gives them), or anywhere when periods is NULL.
CREATE FUNCTION recording_words_query(words text, periods text[]) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN periods IS NULL THEN plainto_tsquery('simple', words) ELSE (
        SELECT string_agg('(' || (SELECT string_agg(quote_literal(word || p), ' | ')
                                  FROM unnest(periods) AS p) || ')', ' & ')::tsquery
        FROM unnest(tsvector_to_array(to_tsvector('simple', words))) AS w(word)) END
$$;

UPDATE recordings
SET search_tsv = recording_search_words(array_to_string(tsvector_to_array(search_tsv), ' '),
                                        started_at)
WHERE search_tsv IS NOT NULL;
