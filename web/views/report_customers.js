// Report "customers" (#/reports/customers?to=&by=&lost_months=): as of a day, the
// customers by value level, temperament or region, their vehicles by model or age, or
// the customers by visits in the 12 months up to the day; and the lost customers (no
// visit for N months) with the win-back calls that brought some back
// (GET /api/reports/customers; the rules are the server's, docs/reports.md).
// As of one day: the page shows no "from" (asOf).

import { h } from "../dom.js";
import { t, tEnum } from "../i18n.js";
import { barChart, figuresTable, showCount, showRate } from "./report_figures.js";

const BREAKDOWNS = ["value_level", "temperament", "region", "model", "age", "visits"];
const LOST_MONTHS = [3, 6, 9, 12, 18, 24];
const VEHICLES = new Set(["model", "age"]); // these count vehicles, the others customers
// each breakdown: how its values are named (null: unknown or unset)
const NAMES = {
  value_level: (v) => tEnum("value_level", v),
  temperament: (v) => (v === null ? t("reports.not_set") : tEnum("temperament", v)),
  region: (v) => v ?? t("reports.customers.unknown_region"),
  model: (v) => v ?? t("reports.not_set"),
  age: (v) => t(`reports.customers.age.${v}`),
  visits: (v) => t(`reports.customers.visits.${v}`),
};
const ROW_COLUMNS = [["count", showCount], ["share", showRate]];
const LOST_COLUMNS = [["lost_customers", showCount], ["lost_share", showRate],
  ["win_back_called", showCount], ["won_back", showCount], ["won_back_rate", showRate]];

export const customersReport = {
  name: "customers",
  needsAgents: false,
  asOf: true,
  filters: [
    { name: "by", initial: "value_level",
      choices: () => BREAKDOWNS.map((b) => [b, t(`reports.customers.by.${b}`)]) },
    { name: "lost_months", initial: "12",
      choices: () => LOST_MONTHS.map((n) => [String(n), t("reports.customers.months", { months: n })]) },
  ],

  tables(reply) {
    const unit = VEHICLES.has(reply.by) ? "vehicles" : "customers";
    const { lost } = reply;
    // the rows' own sum: the ages leave out the vehicles delivered after the day
    const counted = reply.rows.reduce((sum, row) => sum + row.count, 0);
    return [
      h("section", { class: "panel", testid: "report-customers-rows" },
        h("h2", {}, t(`reports.customers.by.${reply.by}`)),
        h("p", { class: "muted", testid: "report-customers-whole" },
          t(`reports.customers.whole.${unit}`, { count: showCount(reply[unit]) })),
        figuresTable("report-table", t(`reports.customers.by.${reply.by}`), ROW_COLUMNS,
          reply.rows.map((row) => [NAMES[reply.by](row.value), row]),
          { count: counted, share: reply[unit] ? counted / reply[unit] : null })),
      h("section", { class: "panel", testid: "report-lost" },
        h("h2", {}, t("reports.customers.lost", { months: reply.lost_months })),
        figuresTable("report-lost-table", t("reports.customers.as_of"), LOST_COLUMNS,
          [[reply.to, { lost_customers: lost.customers, lost_share: lost.share,
            win_back_called: lost.win_back_called, won_back: lost.won_back,
            won_back_rate: lost.won_back_rate }]]),
        h("p", { class: "muted" }, t("reports.customers.lost_about", { months: reply.lost_months }))),
    ];
  },

  charts(reply) {
    const names = reply.rows.map((row) => NAMES[reply.by](row.value));
    return [{
      testid: "report-chart",
      title: t(`reports.customers.by.${reply.by}`),
      option: barChart(names, [{
        name: t(VEHICLES.has(reply.by) ? "reports.customers.vehicles" : "reports.customers.customers"),
        type: "bar", barMaxWidth: 36, data: reply.rows.map((row) => row.count) }]),
    }];
  },
};
