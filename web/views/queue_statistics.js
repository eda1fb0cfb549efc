// Queue statistics for supervisors (#/queue-statistics?from=&to=&by=day|hour|queue|agent):
// the hotline queue's figures from Asterisk's queue_log over a range of days
// (GET /api/queue/statistics; every formula is the server's, docs/queue_statistics.md).
// A table gives each bucket's figures and the range's total; a chart (Apache ECharts,
// loaded only here) draws offered, answered and abandoned callers by bucket.

import { get } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDate, formatNumber, t } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";

const BUCKETS = ["day", "hour", "queue", "agent"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';
// the columns of the table: a figure and how it is shown
const COLUMNS = [
  ["offered", (v) => formatNumber(v)],
  ["answered", (v) => formatNumber(v)],
  ["abandoned", (v) => formatNumber(v)],
  ["short_abandoned", (v) => formatNumber(v)],
  ["service_level", (v) => (v === null ? t("app.unknown") : `${formatNumber(Math.round(v * 1000) / 10)}%`)],
  ["average_answer_seconds", seconds],
  ["average_wait_seconds", seconds],
  ["longest_wait_seconds", seconds],
  ["average_talk_seconds", seconds],
];

function seconds(value) {
  return value === null || value === undefined ? t("app.unknown") : formatNumber(value);
}

export function queueStatisticsHash(from, to, by) {
  return `#/queue-statistics?from=${from}&to=${to}&by=${by}`;
}

export function mountQueueStatistics(main, ctx, query = "") {
  const params = new URLSearchParams(query);
  // without days: the server's today, in the center's zone (the browser's may differ)
  let from = DAY.test(params.get("from") ?? "") ? params.get("from") : "";
  let to = DAY.test(params.get("to") ?? "") ? params.get("to") : from;
  const by = BUCKETS.includes(params.get("by")) ? params.get("by") : "day";
  const supervises = ctx.user.role === "supervisor" || ctx.user.role === "admin";
  let reply = null;
  let error = null;
  let destroyed = false;
  let echarts = null;
  let chart = null;

  async function load() {
    try {
      const days = from ? `from=${from}&to=${to}&` : "";
      reply = await get(`/api/queue/statistics?${days}by=${by}`);
      ({ from, to } = reply);
      error = null;
    } catch (err) {
      error = err;
    }
  }

  async function loadChart() {
    try {
      echarts = await import("../vendor/echarts/echarts.esm.min.js");
    } catch {
      echarts = null; // the table still says everything
    }
  }

  function bucketName(row) {
    if (by === "agent") return row.bucket === null ? t("queue_stats.no_agent") : (row.agent_name ?? row.bucket);
    if (by === "day") return formatDate(row.bucket);
    if (by === "hour") return `${formatDate(row.bucket.slice(0, 10))} ${row.bucket.slice(11)}`;
    return row.bucket;
  }

  function table() {
    const head = [t(`queue_stats.by.${by}`), ...COLUMNS.map(([name]) => t(`queue_stats.${name}`))];
    const line = (label, figures, attrs = {}) => h("tr", attrs,
      h("th", { scope: "row" }, label),
      COLUMNS.map(([name, show]) => h("td", { class: "num", testid: `qs-${name}` }, show(figures[name]))));
    return h("div", { class: "table-scroll" },
      h("table", { class: "table compact stats-table", testid: "queue-stats-table" },
        h("thead", {}, h("tr", {}, head.map((text, i) => h("th", { scope: "col", class: i ? "num" : null }, text)))),
        h("tbody", {}, reply.rows.map((row) => line(bucketName(row), row, { testid: "queue-stats-row" }))),
        h("tfoot", {}, line(t("queue_stats.total"), reply.total, { testid: "queue-stats-total" }))));
  }

  function drawChart(el) {
    chart?.dispose();
    chart = null;
    if (!echarts || reply.rows.length === 0) return;
    chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      // Drawn on the canvas: an HTML tooltip would carry inline styles the CSP refuses.
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 56 },
      xAxis: { type: "category", data: reply.rows.map(bucketName),
               axisLabel: { rotate: reply.rows.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: ["answered", "abandoned", "short_abandoned"].map((name) => ({
        name: t(`queue_stats.${name}`), type: "bar", stack: "callers", barMaxWidth: 36,
        data: reply.rows.map((row) => row[name]) })),
    });
  }

  const onResize = () => chart?.resize();
  window.addEventListener("resize", onResize);

  function form() {
    const go = (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      location.hash = queueStatisticsHash(data.get("from"), data.get("to"), data.get("by"));
    };
    return h("form", { class: "stats-nav filters", testid: "queue-stats-form", onsubmit: go },
      h("label", {}, t("queue_stats.from"), " ",
        h("input", { type: "date", name: "from", value: from, required: true, testid: "qs-from" })),
      h("label", {}, t("queue_stats.to"), " ",
        h("input", { type: "date", name: "to", value: to, required: true, testid: "qs-to" })),
      h("label", {}, t("queue_stats.by"), " ",
        h("select", { name: "by", testid: "qs-by" }, BUCKETS.map((name) =>
          h("option", { value: name, selected: name === by }, t(`queue_stats.by.${name}`))))),
      h("button", { type: "submit", testid: "qs-show" }, t("queue_stats.show")));
  }

  function render() {
    chart?.dispose();
    chart = null;
    if (!supervises) {
      fill(main, noticeBox(t("queue_stats.supervisors_only"), { testid: "queue-stats-forbidden" }));
      main.setAttribute("aria-busy", "false");
      return;
    }
    const chartEl = h("div", { class: "chart", testid: "queue-stats-chart", role: "img",
                               "aria-label": t("queue_stats.chart") });
    fill(main, h("section", { class: "page stats-page", testid: "queue-statistics-view",
                              "aria-labelledby": "queue-stats-heading" },
      h("div", { class: "page-head" },
        h("h1", { id: "queue-stats-heading" }, t("queue_stats.heading")),
        h("a", { href: "#/board" }, t("app.board"))),
      form(),
      error && errorBox(error, "queue-stats-error"),
      !reply && !error && h("p", { class: "muted" }, t("app.loading")),
      reply && [
        h("p", { class: "muted", testid: "queue-stats-thresholds" }, t("queue_stats.thresholds", {
          level: reply.total.service_level_seconds, short: reply.short_abandon_seconds })),
        reply.rows.length === 0 ? h("p", { class: "empty", testid: "queue-stats-empty" }, t("queue_stats.nothing"))
          : [h("section", { class: "panel" }, table()),
            h("section", { class: "panel" }, h("h2", {}, t("queue_stats.chart")), chartEl)],
      ]));
    if (reply) drawChart(chartEl);
    main.setAttribute("aria-busy", String(!reply && !error));
  }

  render();
  if (supervises) Promise.all([load(), loadChart()]).then(() => { if (!destroyed) render(); });

  return {
    render,
    destroy() {
      destroyed = true;
      chart?.dispose();
      window.removeEventListener("resize", onResize);
    },
  };
}
