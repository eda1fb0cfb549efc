// Report "satisfaction" (#/reports/satisfaction?from=&to=&kind=&by=): the answers of
// the follow-ups completed in the days, per questionnaire version and question (mean,
// distribution, strongest and weakest items), satisfied and dissatisfied rates, by
// question, salesperson or service advisor, department, or month over month
// (GET /api/reports/satisfaction; the formulas are the server's, docs/reports.md).

import { h } from "../dom.js";
import { formatNumber, localized, t, tEnum } from "../i18n.js";
import { barChart, figuresTable, showCount, showDecimal, showRate } from "./report_figures.js";

const BUCKETS = ["question", "staff", "department", "month"];
const KINDS = ["sales", "service"];
const percent = (fraction) => (fraction === null ? null : Math.round(fraction * 1000) / 10);
const showChange = (value) => (value === null || value === undefined ? t("app.unknown")
  : `${value > 0 ? "+" : ""}${formatNumber(value)}`);
const showRateChange = (value) => (value === null || value === undefined ? t("app.unknown")
  : `${value > 0 ? "+" : ""}${formatNumber(percent(value))}%`);
const showDistribution = (list) => (list ?? []).filter((d) => d.answers)
  .map((d) => t("reports.satisfaction.score_count", { score: d.score, answers: formatNumber(d.answers) }))
  .join(" · ") || t("app.unknown");

function templateName(template) {
  return t("reports.satisfaction.template_version",
    { title: localized(template.title), version: template.version });
}

// A question by its id, its text from the total's version (the rows' have none).
function questionName(reply, template, id) {
  const named = reply.total.templates.find((tpl) => tpl.template_id === template.template_id) ?? template;
  const question = named.questions.find((q) => q.question === id);
  return question ? `${id.toUpperCase()} ${localized(question.text)}` : t("app.unknown");
}

function rowName(by, row) {
  if (by === "staff") return row.staff ?? t("reports.satisfaction.unknown_staff");
  if (by === "department") return t(`reports.satisfaction.department.${row.department}`);
  return row.month;
}

const TEMPLATE_COLUMNS = [
  ["completed", showCount], ["mean_score", showDecimal], ["max_score", showCount],
  ["satisfied", showCount], ["dissatisfied", showCount], ["satisfied_rate", showRate],
  ["dissatisfied_rate", showRate], ["strongest", (v) => v ?? t("app.unknown")],
  ["weakest", (v) => v ?? t("app.unknown")],
];
const QUESTION_COLUMNS = [
  ["max", showCount], ["answers", showCount], ["mean", showDecimal], ["fraction", showRate],
  ["distribution", showDistribution],
];
const GROUP_COLUMNS = [
  ["completed", showCount], ["satisfied", showCount], ["dissatisfied", showCount],
  ["satisfied_rate", showRate], ["score_percent", showDecimal],
];

function templatesPanel(reply) {
  const rows = reply.total.templates.map((tpl) => [templateName(tpl), {
    ...tpl,
    strongest: tpl.strongest && questionName(reply, tpl, tpl.strongest),
    weakest: tpl.weakest && questionName(reply, tpl, tpl.weakest) }]);
  return h("section", { class: "panel", testid: "report-templates" },
    h("h2", {}, t("reports.satisfaction.templates")),
    rows.length === 0 ? h("p", { class: "empty" }, t("reports.satisfaction.none"))
      : figuresTable("report-templates-table", t("reports.satisfaction.template"), TEMPLATE_COLUMNS, rows));
}

function questionsPanel(template) {
  return h("section", { class: "panel", testid: "report-questions" },
    h("h2", {}, templateName(template)),
    figuresTable("report-questions-table", t("reports.satisfaction.question"), QUESTION_COLUMNS,
      template.questions.map((q) => [`${q.question.toUpperCase()} ${localized(q.text)}`,
        { ...q, answers: q.answered }])));
}

function groupsPanel(reply) {
  const month = reply.by === "month";
  const columns = [...GROUP_COLUMNS, ...(month ? [["satisfied_rate_change", showRateChange]] : [])];
  const rows = reply.rows.map((row) => [
    reply.by === "staff" ? t("reports.satisfaction.staff_of",
      { staff: rowName("staff", row), department: t(`reports.satisfaction.department.${row.department}`) })
      : rowName(reply.by, row), row]);
  // each group's questions: their means (and by month, the change from the month before)
  const details = reply.rows.flatMap((row) => row.templates.map((tpl) => [
    `${rowName(reply.by, row)} · ${templateName(tpl)}`,
    Object.fromEntries([
      ["weakest", tpl.weakest ? questionName(reply, tpl, tpl.weakest) : t("app.unknown")],
      ["strongest", tpl.strongest ? questionName(reply, tpl, tpl.strongest) : t("app.unknown")],
      ["means", tpl.questions.map((q) => `${q.question.toUpperCase()} ${q.mean === null ? t("app.unknown") : formatNumber(q.mean)}`
        + (month && q.mean_change !== null && q.mean_change !== undefined ? ` (${showChange(q.mean_change)})` : "")).join(" · ")],
    ])]));
  return [
    h("section", { class: "panel", testid: "report-groups" },
      h("h2", {}, t(`reports.satisfaction.by.${reply.by}`)),
      rows.length === 0 ? h("p", { class: "empty" }, t("reports.satisfaction.none"))
        : figuresTable("report-table", t(`reports.satisfaction.by.${reply.by}`), columns, rows, reply.total)),
    details.length > 0 && h("section", { class: "panel", testid: "report-group-questions" },
      h("h2", {}, t("reports.satisfaction.items")),
      figuresTable("report-group-questions-table", t(`reports.satisfaction.by.${reply.by}`),
        [["strongest", String], ["weakest", String], ["means", String]], details)),
  ];
}

export const satisfactionReport = {
  name: "satisfaction",
  needsAgents: false,
  filters: [
    { name: "by", initial: "question", choices: () => BUCKETS.map((b) => [b, t(`reports.satisfaction.by.${b}`)]) },
    { name: "kind", choices: () => [["", t("reports.all")], ...KINDS.map((k) => [k, tEnum("kind", k)])] },
  ],

  tables(reply) {
    return [
      templatesPanel(reply),
      reply.by === "question" ? reply.total.templates.map(questionsPanel) : groupsPanel(reply),
    ];
  },

  charts(reply) {
    if (reply.by === "question") {
      // each question's mean as a share of its maximum, a bar series per questionnaire
      const ids = [...new Set(reply.total.templates.flatMap((tpl) => tpl.questions.map((q) => q.question)))];
      const series = reply.total.templates.map((tpl) => ({
        name: templateName(tpl), type: "bar", barMaxWidth: 28,
        data: ids.map((id) => percent(tpl.questions.find((q) => q.question === id)?.fraction ?? null)) }));
      return [{
        testid: "report-chart", title: t("reports.satisfaction.chart_questions"),
        option: barChart(ids.map((id) => id.toUpperCase()), series, { yAxis: [
          { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }] }),
      }];
    }
    const names = reply.rows.map((row) => rowName(reply.by, row));
    const series = [
      { name: t("reports.figure.satisfied_rate"), type: reply.by === "month" ? "line" : "bar", barMaxWidth: 28,
        data: reply.rows.map((row) => percent(row.satisfied_rate)) },
      { name: t("reports.figure.score_percent"), type: reply.by === "month" ? "line" : "bar", barMaxWidth: 28,
        data: reply.rows.map((row) => row.score_percent) },
    ];
    return [{
      testid: "report-chart", title: t(`reports.satisfaction.chart_${reply.by}`),
      option: barChart(names, series, { yAxis: [
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }] }),
    }];
  },
};
