// The reports section for supervisors and admins (#/reports: the list of reports) and
// the page every report is (#/reports/<name>?from=&to=&<filters>), docs/reports.md.
//
// A report is a plain object (views/report_*.js), the page contract:
//   { name,                      the route's and the API's name: GET /api/reports/<name>
//     filters: [{ name, choices(agents) -> [[value, label]], initial }],
//                                 selects beside the dates; "" = all; kept in the address
//     needsAgents,                the agent filter needs GET /api/reports/agents
//     asOf,                       as of one day: only "to", no "from"
//     tables(reply) -> nodes,     every figure in tables
//     charts(reply) -> [{ testid, title, option }] }  ECharts options (canvas only)
// The page owns the rest: the days and filters in the address (a reload or a shared
// link shows the same report; without days the server's defaults, the 1st of this month
// to today in the center's zone), loading, errors, the export button (the same query,
// .xlsx), drawing and disposing the charts. Agents see a notice (the API says 403).

import { get } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";
import { followupsReport } from "./report_followups.js";
import { callsReport } from "./report_calls.js";
import { satisfactionReport } from "./report_satisfaction.js";
import { customersReport } from "./report_customers.js";

export const REPORTS = [followupsReport, callsReport, satisfactionReport, customersReport];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const supervises = (ctx) => ctx.user.role === "supervisor" || ctx.user.role === "admin";

export function reportHash(name, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined));
  const text = query.toString();
  return `#/reports/${name}${text ? `?${text}` : ""}`;
}

// ---- the list ----------------------------------------------------------------------

export function mountReports(main, ctx) {
  function render() {
    if (!supervises(ctx)) {
      fill(main, noticeBox(t("reports.supervisors_only"), { testid: "reports-forbidden" }));
    } else {
      fill(main, h("section", { class: "page", testid: "reports-view", "aria-labelledby": "reports-heading" },
        h("div", { class: "page-head" }, h("h1", { id: "reports-heading" }, t("reports.heading"))),
        h("ul", { class: "report-list" }, REPORTS.map((report) => h("li", {},
          h("a", { href: reportHash(report.name), testid: `report-link-${report.name}` },
            t(`reports.${report.name}.title`)),
          h("p", { class: "muted" }, t(`reports.${report.name}.about`))))),
        h("p", { class: "muted" }, t("reports.later"))));
    }
    main.setAttribute("aria-busy", "false");
  }
  render();
  return { render, destroy() {} };
}

// ---- one report --------------------------------------------------------------------

export function mountReport(main, ctx, name, query = "") {
  const report = REPORTS.find((r) => r.name === name);
  const params = new URLSearchParams(query);
  let from = DAY.test(params.get("from") ?? "") ? params.get("from") : "";
  let to = DAY.test(params.get("to") ?? "") ? params.get("to") : "";
  const chosen = Object.fromEntries(report.filters.map((f) => [f.name, params.get(f.name) ?? f.initial ?? ""]));
  let reply = null;
  let agents = [];
  let error = null;
  let destroyed = false;
  let echarts = null;
  let chartError = null;
  const charts = [];

  function apiQuery() {
    const q = new URLSearchParams();
    if (from && !report.asOf) q.set("from", from);
    if (to) q.set("to", to);
    for (const [key, value] of Object.entries(chosen)) if (value !== "") q.set(key, value);
    return q.toString();
  }

  async function load() {
    try {
      const [data, names] = await Promise.all([
        get(`/api/reports/${name}?${apiQuery()}`),
        report.needsAgents ? get("/api/reports/agents") : Promise.resolve({ agents: [] })]);
      reply = data;
      agents = names.agents;
      ({ from, to } = reply);
      error = null;
    } catch (err) {
      error = err;
    }
  }

  async function loadCharts() {
    try {
      echarts = await import("../vendor/echarts/echarts.esm.min.js");
    } catch (err) {
      chartError = err; // the tables still say everything
    }
  }

  function disposeCharts() {
    for (const chart of charts.splice(0)) chart.dispose();
  }

  function drawCharts(elements) {
    disposeCharts();
    if (!echarts) return;
    for (const [el, spec] of elements) {
      const chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(spec.option);
      charts.push(chart);
    }
  }

  const onResize = () => { for (const chart of charts) chart.resize(); };
  window.addEventListener("resize", onResize);

  function form() {
    const go = (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      location.hash = reportHash(name, Object.fromEntries(data.entries()));
    };
    return h("form", { class: "stats-nav filters", testid: "report-form", onsubmit: go },
      !report.asOf && h("label", {}, t("reports.from"), " ",
        h("input", { type: "date", name: "from", value: from, required: true, testid: "report-from" })),
      h("label", {}, t("reports.to"), " ",
        h("input", { type: "date", name: "to", value: to, required: true, testid: "report-to" })),
      report.filters.map((filter) => h("label", {}, t(`reports.filter.${filter.name}`), " ",
        h("select", { name: filter.name, testid: `report-filter-${filter.name}` },
          filter.choices(agents).map(([value, label]) =>
            h("option", { value, selected: String(value) === String(chosen[filter.name]) }, label))))),
      h("button", { type: "submit", testid: "report-show" }, t("reports.show")),
      reply && h("a", { href: `/api/reports/${name}.xlsx?${apiQuery()}`, download: "",
                        class: "button-quiet button-link", testid: "report-export" }, t("reports.export")));
  }

  function render() {
    disposeCharts();
    if (!supervises(ctx)) {
      fill(main, noticeBox(t("reports.supervisors_only"), { testid: "reports-forbidden" }));
      main.setAttribute("aria-busy", "false");
      return;
    }
    const specs = reply ? report.charts(reply) : [];
    const elements = specs.map((spec) => [h("div", { class: "chart", testid: spec.testid, role: "img",
                                                     "aria-label": spec.title }), spec]);
    fill(main, h("section", { class: "page stats-page", testid: `report-${name}`,
                              "aria-labelledby": "report-heading" },
      h("div", { class: "page-head" },
        h("h1", { id: "report-heading" }, t(`reports.${name}.title`)),
        h("a", { href: "#/reports", testid: "reports-back" }, t("reports.heading"))),
      form(),
      error && errorBox(error, "report-error"),
      !reply && !error && h("p", { class: "muted" }, t("app.loading")),
      reply && [
        h("div", { class: "stats-grid" }, elements.map(([el, spec]) =>
          h("section", { class: "panel" }, h("h2", {}, spec.title), el))),
        chartError && noticeBox(t("reports.charts_unavailable"), { testid: "report-chart-error", kind: "warn" }),
        report.tables(reply),
      ]));
    if (reply) drawCharts(elements);
    main.setAttribute("aria-busy", String(!reply && !error));
  }

  render();
  if (supervises(ctx)) Promise.all([load(), loadCharts()]).then(() => { if (!destroyed) render(); });

  return {
    render,
    destroy() {
      destroyed = true;
      disposeCharts();
      window.removeEventListener("resize", onResize);
    },
  };
}
