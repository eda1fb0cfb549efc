// Report "calls and agents" (#/reports/calls?from=&to=&direction=): ended calls by
// direction, category, disposition, hour of day and weekday, and per agent their calls,
// talk and wrap-up time, the follow-ups they completed, those follow-ups' average score
// and their pauses by reason (from Asterisk's queue_log)
// (GET /api/reports/calls; the formulas are the server's, docs/reports.md).

import { h } from "../dom.js";
import { t, tEnum } from "../i18n.js";
import { barChart, figuresTable, showCount, showDecimal, showRate } from "./report_figures.js";
import { hotlineChart, hotlinePanel } from "./report_hotline.js";

const DIRECTIONS = ["inbound", "outbound", "internal"];
const CALL_COLUMNS = [
  ["calls", showCount], ["answered", showCount], ["answer_rate", showRate],
  ["talk_seconds", showCount], ["average_talk_seconds", showDecimal],
];
const AGENT_COLUMNS = [...CALL_COLUMNS, ["wrapped_up", showCount], ["wrap_up_seconds", showCount],
  ["average_wrap_up_seconds", showDecimal], ["followups_completed", showCount],
  ["average_score_percent", showDecimal], ["pause_seconds", showCount]];
const PAUSE_COLUMNS = [["pauses", showCount], ["seconds", showCount]];
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
    const agentName = (row) => row.agent_name ?? t("reports.no_agent");
    const pauses = reply.agents.flatMap((row) => row.pauses.map((pause) =>
      [t("reports.calls.agent_reason", { agent: agentName(row), reason: pause.reason ?? t("reports.no_reason") }),
        pause]));
    const breakdown = (name) => h("section", { class: "panel", testid: `report-by-${name}` },
      h("h2", {}, t(`reports.calls.by.${name}`)),
      figuresTable(`report-by-${name}-table`, t(`reports.calls.by.${name}`), CALL_COLUMNS,
        reply.by[name].map((row) => [BREAKDOWNS[name](row.value), row]),
        name === "direction" ? reply.total : null));
    return [
      h("section", { class: "panel", testid: "report-agents" },
        h("h2", {}, t("reports.calls.agents")),
        figuresTable("report-agents-table", t("reports.calls.agent"), AGENT_COLUMNS,
          reply.agents.map((row) => [agentName(row), row]))),
      h("section", { class: "panel", testid: "report-pauses" },
        h("h2", {}, t("reports.calls.pauses")),
        pauses.length === 0 ? h("p", { class: "empty" }, t("reports.calls.no_pauses"))
          : figuresTable("report-pauses-table", t("reports.calls.agent_and_reason"), PAUSE_COLUMNS, pauses)),
      h("div", { class: "stats-grid" }, ["direction", "category", "disposition", "weekday"].map(breakdown)),
      breakdown("hour"),
      hotlinePanel(reply.hotline),
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
      hotlineChart(reply.hotline),
    ];
  },
};
