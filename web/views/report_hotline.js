// The hotline queue beside "calls and agents" (views/report_calls.js): the callers who
// left Asterisk's hotline queue on each day of the range, answered and abandoned, from
// queue_log (the reply's "hotline"; the formulas are docs/queue_statistics.md).

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { barChart, figuresTable, showCount, showDecimal, showRate } from "./report_figures.js";

const COLUMNS = [
  ["offered", showCount], ["answered", showCount], ["abandoned", showCount],
  ["short_abandoned", showCount], ["service_level", showRate],
  ["average_wait_seconds", showDecimal], ["longest_wait_seconds", showDecimal],
];

export function hotlinePanel(hotline) {
  return h("section", { class: "panel", testid: "report-hotline" },
    h("h2", {}, t("reports.hotline.title")),
    h("p", { class: "muted" }, t("reports.hotline.about")),
    hotline.days.length === 0 ? h("p", { class: "empty" }, t("reports.hotline.none"))
      : figuresTable("report-hotline-table", t("reports.hotline.day"), COLUMNS,
        hotline.days.map((row) => [row.bucket, row]), hotline.total));
}

export function hotlineChart(hotline) {
  return {
    testid: "report-chart-hotline",
    title: t("reports.hotline.chart"),
    option: barChart(hotline.days.map((row) => row.bucket), ["answered", "abandoned"].map((key) => ({
      name: t(`reports.figure.${key}`), type: "bar", stack: "callers", barMaxWidth: 28,
      data: hotline.days.map((row) => row[key]) }))),
  };
}
