-- The satisfaction report (docs/reports.md "Satisfaction"): every statement reads
-- migration 0015's summaries over a range of days, never the follow-ups' answers.
-- The sums come as (group, template, question, score value, answers, score sum,
-- satisfied): question '' is the follow-up as a whole (answers: completed).

-- name: sums
-- $1..$2 the days (both included), $3 a follow-up kind or NULL (every questionnaire),
-- $4 the group: 'month' (YYYY-MM) or '' (the whole range).
WITH templates AS (
    SELECT id FROM questionnaire_templates WHERE $3::text IS NULL OR kind = $3
)
SELECT CASE WHEN $4 = 'month' THEN to_char(day, 'YYYY-MM') ELSE '' END AS bucket,
       template_id, question, score, sum(answers)::int AS answers,
       sum(score * answers) AS score_sum, 0 AS satisfied
FROM report_answers
WHERE day BETWEEN $1 AND $2 AND template_id IN (SELECT id FROM templates)
GROUP BY 1, 2, 3, 4
HAVING sum(answers) <> 0
UNION ALL
SELECT CASE WHEN $4 = 'month' THEN to_char(day, 'YYYY-MM') ELSE '' END,
       template_id, '', NULL, sum(completed)::int, sum(score_sum), sum(satisfied)::int
FROM report_satisfaction
WHERE day BETWEEN $1 AND $2 AND template_id IN (SELECT id FROM templates)
GROUP BY 1, 2
HAVING sum(completed) <> 0;

-- name: staff_sums
-- Per staff ('' unknown) and template, the rows as kept (summed by the caller: a row's
-- arrays are the template's questions in order): the whole months $1..$2 (their 1sts,
-- or NULL) from the month summary, the days $3..$4 before them and $5..$6 after them
-- (or NULL) from the day summary; $7 a kind or NULL.
WITH templates AS (
    SELECT id FROM questionnaire_templates WHERE $7::text IS NULL OR kind = $7
)
SELECT staff, template_id, completed, score_sum, satisfied, answers, answer_sums
FROM report_staff_months
WHERE month BETWEEN $1 AND $2 AND template_id IN (SELECT id FROM templates)
UNION ALL
SELECT staff, template_id, completed, score_sum, satisfied, answers, answer_sums
FROM report_staff_days
WHERE (day BETWEEN $3 AND $4 OR day BETWEEN $5 AND $6)
  AND template_id IN (SELECT id FROM templates);

-- name: templates
-- Every version of every questionnaire (a handful of rows): the report names the
-- questions of each version its answers were given on.
SELECT id, kind, version, title, questions FROM questionnaire_templates;
