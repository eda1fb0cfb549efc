// Report "calls and agents" (#/reports/calls?from=&to=&direction=): ended calls by
// direction, category, disposition, hour of day and weekday, and per agent their calls,
// talk time, the follow-ups they completed and those follow-ups' average score
// (GET /api/reports/calls; the formulas are the server's, docs/reports.md).

import { h } from "../dom.js";
import { t, tEnum } from "../i18n.js";
import { barChart, figuresTable, showCount, showDecimal, showRate } from "./report_figures.js";

const DIRECTIONS = ["inbound", "outbound", "internal"];
const CALL_COLUMNS = [
  ["calls", showCount], ["answered", showCount], ["answer_rate", showRate],
  ["talk_seconds", showCount], ["average_talk_seconds", showDecimal],
];
const AGENT_COLUMNS = [...CALL_COLUMNS, ["followups_completed", showCount],
  ["average_score_percent", showDecimal]];
// each breakdown: how its values are named
const BREAKDOWNS = {
  direction: (v) => tEnum("direction", v),
  category: (v) => (v === null ? t("reports.not_set") : tEnum("category", v)),
  disposition: (v) => (v === null ? t("reports.not_set") : tEnum("disposition", v)),
  weekday: (v) => t(`reports.weekday.${v}`),
  hour: (v) => t("reports.hour_of_day", { hour: String(v).padStart(2, "0") }),
};

export const callsReport = {
  name: "calls",
  needsAgents: false,
  filters: [
    { name: "direction", choices: () => [["", t("reports.all")],
      ...DIRECTIONS.map((d) => [d, tEnum("direction", d)])] },
  ],

  tables(reply) {
    const breakdown = (name) => h("section", { class: "panel", testid: `report-by-${name}` },
      h("h2", {}, t(`reports.calls.by.${name}`)),
      figuresTable(`report-by-${name}-table`, t(`reports.calls.by.${name}`), CALL_COLUMNS,
        reply.by[name].map((row) => [BREAKDOWNS[name](row.value), row]),
        name === "direction" ? reply.total : null));
    return [
      h("section", { class: "panel", testid: "report-agents" },
        h("h2", {}, t("reports.calls.agents")),
        figuresTable("report-agents-table", t("reports.calls.agent"), AGENT_COLUMNS,
          reply.agents.map((row) => [row.agent_name ?? t("reports.no_agent"), row]))),
      h("div", { class: "stats-grid" }, ["direction", "category", "disposition", "weekday"].map(breakdown)),
      breakdown("hour"),
    ];
  },

  charts(reply) {
    const bars = (name) => barChart(reply.by[name].map((row) => BREAKDOWNS[name](row.value)),
      ["answered", "calls"].map((key) => ({
        name: t(`reports.figure.${key}`), type: "bar", barMaxWidth: 28, barGap: "-100%",
        z: key === "answered" ? 2 : 1,
        data: reply.by[name].map((row) => row[key]) })));
    return [
      { testid: "report-chart-hour", title: t("reports.calls.chart_hour"), option: bars("hour") },
      { testid: "report-chart-weekday", title: t("reports.calls.chart_weekday"), option: bars("weekday") },
    ];
  },
};
