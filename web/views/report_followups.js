// Report "follow-up completion" (#/reports/followups?from=&to=&by=&kind=&agent_id=):
// tasks due in the days against done in time, late, unreachable, SMS instead and not
// done, by week, month, kind or agent; reach rate and attempts per completed task
// (GET /api/reports/followups; the formulas are the server's, docs/reports.md).

import { formatDate, t, tEnum } from "../i18n.js";
import { barChart, figuresTable, showCount, showDecimal, showRate } from "./report_figures.js";

const BUCKETS = ["week", "month", "kind", "agent"];
const KINDS = ["sales", "service", "maintenance_reminder", "win_back", "dormant_prospect", "complaint_check"];
const COLUMNS = [
  ["due", showCount], ["completed", showCount], ["in_time", showCount], ["late", showCount],
  ["unreachable", showCount], ["sms", showCount], ["pending", showCount], ["overdue", showCount],
  ["in_time_rate", showRate], ["completion_rate", showRate], ["attempts", showCount],
  ["answered", showCount], ["reach_rate", showRate], ["attempts_per_completed", showDecimal],
];
// the outcomes stacked in the chart: together they are the tasks due
const OUTCOMES = ["in_time", "late", "unreachable", "sms", "pending"];

function bucketName(by, row) {
  if (by === "week") return t("reports.week_of", { day: formatDate(row.bucket) });
  if (by === "kind") return tEnum("kind", row.bucket);
  if (by === "agent") return row.agent_name ?? t("reports.nobody");
  return row.bucket;
}

export const followupsReport = {
  name: "followups",
  needsAgents: true,
  filters: [
    { name: "by", initial: "week", choices: () => BUCKETS.map((b) => [b, t(`reports.by.${b}`)]) },
    { name: "kind", choices: () => [["", t("reports.all")], ...KINDS.map((k) => [k, tEnum("kind", k)])] },
    { name: "agent_id", choices: (agents) => [["", t("reports.all")], ["0", t("reports.nobody")],
      ...agents.map((a) => [String(a.id), a.name])] },
  ],

  tables(reply) {
    return figuresTable("report-table", t(`reports.by.${reply.by}`), COLUMNS,
      reply.rows.map((row) => [bucketName(reply.by, row), row]), reply.total);
  },

  charts(reply) {
    const names = reply.rows.map((row) => bucketName(reply.by, row));
    const series = OUTCOMES.map((key) => ({
      name: t(`reports.figure.${key}`), type: "bar", stack: "due", barMaxWidth: 36,
      data: reply.rows.map((row) => row[key]) }));
    series.push({
      name: t("reports.figure.in_time_rate"), type: "line", yAxisIndex: 1,
      data: reply.rows.map((row) => (row.in_time_rate === null ? null : Math.round(row.in_time_rate * 1000) / 10)) });
    return [{
      testid: "report-chart", title: t("reports.followups.chart"),
      option: barChart(names, series, { yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }] }),
    }];
  },
};
