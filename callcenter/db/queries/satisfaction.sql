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
-- Per staff ('' unknown) and template, the days $1..$2 (both included), $3 a kind or
-- NULL: the running totals (migration 0015) at the last row on or before $2 and, to be
-- taken off (the caller subtracts the arrays, cheaper than in SQL), those at the last
-- row before $1 (NULL: none); two index probes per staff member and template (the
-- arrays: the template's questions in order).
WITH pairs AS (
    SELECT DISTINCT template_id, staff FROM report_staff_months
    WHERE month <= $2 AND template_id IN (
        SELECT id FROM questionnaire_templates WHERE $3::text IS NULL OR kind = $3)
)
SELECT p.staff, p.template_id, e.completed - coalesce(s.completed, 0) AS completed,
       e.score_sum - coalesce(s.score_sum, 0) AS score_sum,
       e.satisfied - coalesce(s.satisfied, 0) AS satisfied,
       e.answers, e.answer_sums, s.answers AS answers_before,
       s.answer_sums AS answer_sums_before
FROM pairs p
CROSS JOIN LATERAL (
    SELECT * FROM report_staff_days r
    WHERE r.template_id = p.template_id AND r.staff = p.staff AND r.day <= $2
    ORDER BY r.day DESC LIMIT 1) e
LEFT JOIN LATERAL (
    SELECT * FROM report_staff_days r
    WHERE r.template_id = p.template_id AND r.staff = p.staff AND r.day < $1
    ORDER BY r.day DESC LIMIT 1) s ON true
WHERE e.completed <> coalesce(s.completed, 0);

-- name: templates
-- Every version of every questionnaire (a handful of rows): the report names the
-- questions of each version its answers were given on.
SELECT id, kind, version, title, questions FROM questionnaire_templates;
