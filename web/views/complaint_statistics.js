// Complaint statistics for supervisors (#/complaint-statistics?period=week|month&day=...):
// one week or month beside the one before it (GET /api/complaints/statistics; the
// formulas are the server's, docs/complaints.md). Tables give every figure: counts by
// source, category, severity, department and owner; the on-time rate of each step;
// average and longest hours to first contact, reply and resolution; check-call
// satisfaction; the change against the previous period. Two charts (Apache ECharts,
// served from web/vendor/ and loaded only here) draw the counts and the on-time rates.
// The same figures download as xlsx (GET /api/complaints/statistics.xlsx).

import { get } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDate, formatNumber, t, tEnum } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";

const PERIODS = ["week", "month"];
const BREAKDOWNS = ["source", "category", "severity", "department", "owner"];
const STEPS = ["first_contact", "reply", "management_reply", "check_call"];
const DURATIONS = ["first_contact", "reply", "resolution"];
// How each breakdown's values are named: an API enumeration, or a name as it is.
const VALUE_GROUPS = { source: "complaint_source", category: "complaint_category",
                       severity: "severity", department: "department" };
const FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';

export function statisticsHash(period, day) {
  return `#/complaint-statistics?period=${period}${day ? `&day=${day}` : ""}`;
}

/** A plain date (YYYY-MM-DD) moved by ``days``, with no time zone in between. */
function shiftDay(day, days) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const percent = (rate) => (rate === null || rate === undefined ? t("app.unknown")
  : `${formatNumber(Math.round(rate * 1000) / 10)}%`);
const points = (delta) => (delta === null || delta === undefined ? t("app.unknown")
  : `${delta > 0 ? "+" : ""}${formatNumber(Math.round(delta * 1000) / 10)}`);
const hours = (value) => (value === null || value === undefined ? t("app.unknown")
  : formatNumber(value));
const signed = (n) => (n > 0 ? `+${formatNumber(n)}` : formatNumber(n));

function valueName(breakdown, value) {
  if (value === "none") return t("statistics.none");
  return VALUE_GROUPS[breakdown] ? tEnum(VALUE_GROUPS[breakdown], value) : value;
}

export function mountComplaintStatistics(main, ctx, query = "") {
  const params = new URLSearchParams(query);
  const period = PERIODS.includes(params.get("period")) ? params.get("period") : "month";
  const day = /^\d{4}-\d{2}-\d{2}$/.test(params.get("day") ?? "") ? params.get("day") : "";
  let reply = null;
  let error = null;
  let destroyed = false;
  let echarts = null;
  let chartError = null;
  let countsBy = "source";
  const charts = [];
  const supervises = ctx.user.role === "supervisor" || ctx.user.role === "admin";

  async function load() {
    try {
      reply = await get(`/api/complaints/statistics?period=${period}${day ? `&day=${day}` : ""}`);
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

  // ---- tables ------------------------------------------------------------------------

  const table = (testid, head, rows) => h("div", { class: "table-scroll" },
    h("table", { class: "table compact stats-table", testid },
      h("thead", {}, h("tr", {}, head.map((text, i) => h("th", { scope: "col", class: i ? "num" : null }, text)))),
      h("tbody", {}, rows.map(([label, ...cells]) => h("tr", {},
        h("th", { scope: "row" }, label), cells.map((cell) => h("td", { class: "num" }, cell)))))));

  function summary() {
    const { current: cur, previous: prev, change } = reply;
    return table("stats-summary", ["", reply.label, reply.previous_label, t("statistics.change")], [
      [t("statistics.total"), formatNumber(cur.total), formatNumber(prev.total),
        [signed(change.total), change.total_ratio !== null ? ` (${points(change.total_ratio)}%)` : ""]],
      [t("statistics.check_rate"), percent(cur.check_calls.rate), percent(prev.check_calls.rate),
        points(change.check_call_rate)],
      [t("statistics.check_completed"), t("statistics.satisfied_of", {
        satisfied: cur.check_calls.satisfied, completed: cur.check_calls.completed }),
      t("statistics.satisfied_of", { satisfied: prev.check_calls.satisfied,
                                     completed: prev.check_calls.completed }), ""],
    ]);
  }

  function onTime() {
    const { current: cur, previous: prev, change } = reply;
    return table("stats-on-time", [t("statistics.step"), t("statistics.judged"),
      t("statistics.on_time"), reply.label, reply.previous_label, t("statistics.change_points")],
    STEPS.map((step) => [tEnum("deadline_step", step), cur.on_time[step].judged,
      cur.on_time[step].on_time, percent(cur.on_time[step].rate), percent(prev.on_time[step].rate),
      points(change.on_time[step])]));
  }

  function durations() {
    const { current: cur, previous: prev } = reply;
    return table("stats-hours", [t("statistics.to"), t("statistics.reached"),
      t("statistics.average_hours"), t("statistics.longest_hours"),
      t("statistics.previous_average", { label: reply.previous_label })],
    DURATIONS.map((name) => [t(`statistics.to.${name}`), cur.hours_to[name].count,
      hours(cur.hours_to[name].average), hours(cur.hours_to[name].longest),
      hours(prev.hours_to[name].average)]));
  }

  function breakdown(name) {
    const cur = reply.current.by[name] ?? {};
    const prev = reply.previous.by[name] ?? {};
    const values = [...Object.keys(cur), ...Object.keys(prev).filter((v) => !(v in cur))];
    return h("section", { class: "stats-breakdown", testid: `stats-by-${name}` },
      h("h3", {}, t(`statistics.by.${name}`)),
      values.length === 0 ? h("p", { class: "empty" }, t("statistics.nothing"))
        : table(`stats-by-${name}-table`, ["", reply.label, reply.previous_label, t("statistics.change")],
          values.map((v) => [valueName(name, v), cur[v] ?? 0, prev[v] ?? 0,
            signed((cur[v] ?? 0) - (prev[v] ?? 0))])));
  }

  // ---- charts ------------------------------------------------------------------------

  function disposeCharts() {
    for (const chart of charts.splice(0)) chart.dispose();
  }

  function bars(el, categories, series, { unit = "" } = {}) {
    const chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      // Drawn on the canvas: an HTML tooltip would carry inline styles the CSP refuses.
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 48 },
      xAxis: { type: "category", data: categories, axisLabel: { interval: 0, rotate: categories.length > 5 ? 30 : 0 } },
      yAxis: { type: "value", axisLabel: { formatter: `{value}${unit}` }, minInterval: unit ? 0 : 1 },
      series: series.map(([name, data]) => ({ name, type: "bar", data, barMaxWidth: 36 })),
    });
    charts.push(chart);
  }

  function drawCharts(countsEl, onTimeEl) {
    disposeCharts();
    if (!echarts) return;
    const cur = reply.current.by[countsBy] ?? {};
    const prev = reply.previous.by[countsBy] ?? {};
    const values = [...Object.keys(cur), ...Object.keys(prev).filter((v) => !(v in cur))];
    bars(countsEl, values.map((v) => valueName(countsBy, v)),
      [[reply.label, values.map((v) => cur[v] ?? 0)], [reply.previous_label, values.map((v) => prev[v] ?? 0)]]);
    const rate = (figures, step) => (figures.on_time[step].rate === null ? null
      : Math.round(figures.on_time[step].rate * 1000) / 10);
    bars(onTimeEl, STEPS.map((step) => tEnum("deadline_step", step)),
      [[reply.label, STEPS.map((step) => rate(reply.current, step))],
        [reply.previous_label, STEPS.map((step) => rate(reply.previous, step))]], { unit: "%" });
  }

  const onResize = () => { for (const chart of charts) chart.resize(); };
  window.addEventListener("resize", onResize);

  // ---- the page ----------------------------------------------------------------------

  function navigation() {
    const current = reply ? reply.starts.slice(0, 10) : day;
    const previousDay = reply && shiftDay(current, -1);
    const nextDay = reply && reply.ends.slice(0, 10);
    return h("div", { class: "stats-nav" },
      h("nav", { class: "tabs", "aria-label": t("statistics.period") }, PERIODS.map((p) =>
        h("a", { href: statisticsHash(p, current), class: p === period ? "tab tab-active" : "tab",
                 "aria-current": p === period ? "page" : null, testid: `stats-period-${p}` },
          t(`statistics.period.${p}`)))),
      reply && h("div", { class: "stats-steps" },
        h("a", { href: statisticsHash(period, previousDay), class: "button-quiet button-link",
                 testid: "stats-previous" }, "‹ ", t("statistics.previous")),
        h("strong", { class: "stats-label", testid: "stats-label" }, reply.label,
          h("span", { class: "muted" }, " ", formatDate(current), " – ", formatDate(shiftDay(nextDay, -1)))),
        h("a", { href: statisticsHash(period, nextDay), class: "button-quiet button-link",
                 testid: "stats-next" }, t("statistics.next"), " ›"),
        h("a", { href: `/api/complaints/statistics.xlsx?period=${period}&day=${current}`,
                 class: "button-quiet button-link", download: "", testid: "stats-export" },
          t("statistics.export"))));
  }

  function render() {
    disposeCharts();
    if (!supervises) {
      fill(main, noticeBox(t("statistics.supervisors_only"), { testid: "stats-forbidden" }));
      main.setAttribute("aria-busy", "false");
      return;
    }
    const countsEl = h("div", { class: "chart", testid: "chart-counts", role: "img",
                                "aria-label": t("statistics.chart_counts") });
    const onTimeEl = h("div", { class: "chart", testid: "chart-on-time", role: "img",
                                "aria-label": t("statistics.chart_on_time") });
    fill(main, h("section", { class: "page stats-page", testid: "statistics-view",
                              "aria-labelledby": "stats-heading" },
      h("div", { class: "page-head" },
        h("h1", { id: "stats-heading" }, t("statistics.heading")),
        h("a", { href: "#/complaints/open" }, t("complaints.heading"))),
      navigation(),
      error && errorBox(error, "stats-error"),
      !reply && !error && h("p", { class: "muted" }, t("app.loading")),
      reply && [
        h("div", { class: "stats-grid" },
          h("section", { class: "panel" }, h("h2", {}, t("statistics.summary")), summary()),
          h("section", { class: "panel" }, h("h2", {}, t("statistics.on_time_heading")), onTime()),
          h("section", { class: "panel" }, h("h2", {}, t("statistics.hours_heading")), durations())),
        h("div", { class: "stats-grid" },
          h("section", { class: "panel" },
            h("div", { class: "chart-head" },
              h("h2", {}, t("statistics.chart_counts")),
              h("label", {}, t("statistics.chart_by"), " ",
                h("select", { testid: "chart-counts-by", onchange: (e) => {
                  countsBy = e.target.value;
                  drawCharts(countsEl, onTimeEl);
                } }, BREAKDOWNS.map((name) => h("option", { value: name, selected: name === countsBy },
                  t(`statistics.by.${name}`)))))),
            countsEl),
          h("section", { class: "panel" }, h("h2", {}, t("statistics.chart_on_time")), onTimeEl)),
        chartError && noticeBox(t("statistics.charts_unavailable"), { testid: "chart-error", kind: "warn" }),
        h("section", { class: "panel" }, h("h2", {}, t("statistics.breakdowns")),
          h("div", { class: "stats-grid" }, BREAKDOWNS.map(breakdown))),
      ]));
    if (reply) drawCharts(countsEl, onTimeEl);
    main.setAttribute("aria-busy", String(!reply && !error));
  }

  render();
  if (supervises) Promise.all([load(), loadCharts()]).then(() => { if (!destroyed) render(); });

  return {
    render,
    destroy() {
      destroyed = true;
      disposeCharts();
      window.removeEventListener("resize", onResize);
    },
  };
}
