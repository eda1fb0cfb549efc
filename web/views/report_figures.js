// What every report shows the same way (views/reports.js is the page): figures, tables
// of figures, and the frame of a bar chart (Apache ECharts options, canvas only).

import { h } from "../dom.js";
import { formatNumber, t } from "../i18n.js";

const CHART_FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';

export const showCount = (value) => formatNumber(value);
export const showRate = (rate) => (rate === null || rate === undefined ? t("app.unknown")
  : `${formatNumber(Math.round(rate * 1000) / 10)}%`);
export const showDecimal = (value) => (value === null || value === undefined ? t("app.unknown")
  : formatNumber(value));

/** A table: a row header then one figure per column; ``columns`` are [key, show]. */
export function figuresTable(testid, head, columns, rows, total = null) {
  const line = (label, figures, attrs) => h("tr", attrs,
    h("th", { scope: "row" }, label),
    columns.map(([key, show]) => h("td", { class: "num", dataset: { figure: key } }, show(figures[key]))));
  return h("div", { class: "table-scroll" },
    h("table", { class: "table compact stats-table report-table", testid },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, head),
        columns.map(([key]) => h("th", { scope: "col", class: "num" }, t(`reports.figure.${key}`))))),
      h("tbody", {}, rows.map(([label, figures]) => line(label, figures, { testid: `${testid}-row` }))),
      total && h("tfoot", {}, line(t("reports.total"), total, { testid: `${testid}-total` }))));
}

/** The common frame of a bar chart; ``series`` are ECharts series. */
export function barChart(categories, series, { yAxis = [{ type: "value", minInterval: 1 }] } = {}) {
  return {
    animation: false,
    textStyle: { fontFamily: CHART_FONT },
    // Drawn on the canvas: an HTML tooltip would carry inline styles the CSP refuses.
    tooltip: { trigger: "axis", renderMode: "richText" },
    legend: { top: 0 },
    grid: { left: 48, right: yAxis.length > 1 ? 48 : 16, top: 36, bottom: 56 },
    xAxis: { type: "category", data: categories, axisLabel: { rotate: categories.length > 8 ? 30 : 0 } },
    yAxis,
    series,
  };
}
