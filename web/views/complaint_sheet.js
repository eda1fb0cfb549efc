// The uniform complaint sheet (#/complaint/<id>/sheet): one complaint as the seeds'
// paper form, for printing or saving as PDF from the browser's print dialog. The
// customer, the vehicle, what the complaint is about, its deadlines, and every step of
// the timeline with who took it and when, then the resolution. The print stylesheet
// (style.css, @media print) leaves out the console around it.

import { get } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDateTime, t, tEnum } from "../i18n.js";
import { errorBox } from "../messages.js";
import { formatPhone } from "../phones.js";
import { entryDetails, entryKind, renderDeadlines } from "./complaint.js";
import { loadChoices } from "./complaints.js";

export function mountComplaintSheet(main, ctx, complaintId) {
  let complaint = null;
  let owners = [];
  let error = null;
  let destroyed = false;

  const row = (labelKey, value, testid) => [
    h("th", { scope: "row" }, t(labelKey)),
    h("td", { testid }, value === null || value === undefined || value === "" ? t("app.none") : value)];

  function facts(c) {
    const vehicle = c.vehicle && [c.vehicle.plate, c.vehicle.model, c.vehicle.vin]
      .filter(Boolean).join(" · ");
    return h("table", { class: "sheet-facts" }, h("tbody", {},
      h("tr", {}, row("sheet.number", `#${c.id}`), row("complaint.opened_at", formatDateTime(c.opened_at))),
      h("tr", {}, row("card.name", c.customer_name, "sheet-customer"),
        row("card.phones", c.customer_phone && formatPhone(c.customer_phone), "sheet-phone")),
      h("tr", {}, row("task.vehicle", vehicle, "sheet-vehicle"),
        row("complaint.source", tEnum("complaint_source", c.source))),
      h("tr", {}, row("complaint.category", tEnum("complaint_category", c.category)),
        row("complaint.severity", tEnum("severity", c.severity))),
      h("tr", {}, row("complaint.department", tEnum("department", c.department)),
        row("complaint.owner", c.owner_name)),
      h("tr", {}, row("complaint.status", tEnum("complaint_status", c.status), "sheet-status"),
        row("sheet.closed_at", c.closed_at && formatDateTime(c.closed_at)))));
  }

  function steps(c) {
    return h("table", { class: "table compact sheet-steps", testid: "sheet-steps" },
      h("thead", {}, h("tr", {}, ["time", "step", "who", "details"].map((col) =>
        h("th", { scope: "col" }, t(`sheet.col.${col}`))))),
      h("tbody", {}, (c.timeline ?? []).map((entry) => h("tr", { testid: "sheet-step",
                                                                 dataset: { kind: entry.kind } },
        h("td", { class: "nowrap" }, formatDateTime(entry.at)),
        h("td", {}, entryKind(entry)),
        h("td", { testid: "sheet-step-actor" }, entry.actor_name ?? t("timeline.system")),
        h("td", {}, entryDetails(entry, c, owners).map(([label, text]) =>
          h("div", {}, label && t("app.label", { label }), text)))))));
  }

  function render() {
    if (error) {
      fill(main, errorBox(error, "sheet-error"));
      main.setAttribute("aria-busy", "false");
      return;
    }
    if (!complaint) {
      fill(main, h("p", { class: "muted" }, t("app.loading")));
      return;
    }
    const c = complaint;
    fill(main, h("article", { class: "sheet", testid: "complaint-sheet", "aria-labelledby": "sheet-title" },
      h("div", { class: "sheet-tools no-print" },
        h("a", { href: `#/complaint/${c.id}`, testid: "sheet-back" }, t("sheet.back")),
        h("button", { type: "button", class: "button-primary", testid: "sheet-print",
                      onclick: () => window.print() }, t("sheet.print"))),
      h("header", { class: "sheet-head" },
        h("h1", { id: "sheet-title" }, t("sheet.title")),
        h("p", { class: "muted" }, t("sheet.printed", { time: formatDateTime(new Date().toISOString()),
                                                        name: ctx.user.display_name || ctx.user.username }))),
      facts(c),
      h("section", {}, h("h2", {}, t("complaint.description")),
        h("p", { class: "sheet-text", testid: "sheet-description" }, c.description)),
      h("section", {}, h("h2", {}, t("complaint.deadlines")), renderDeadlines(c.clock)),
      h("section", {}, h("h2", {}, t("sheet.steps")), steps(c)),
      h("section", {}, h("h2", {}, t("sheet.outcome")),
        h("table", { class: "sheet-facts" }, h("tbody", {},
          h("tr", {}, row("timeline.resolution", c.resolution, "sheet-resolution")),
          h("tr", {}, row("timeline.compensation", c.compensation, "sheet-compensation"))))),
      h("footer", { class: "sheet-sign" },
        h("p", {}, t("sheet.sign_owner")), h("p", {}, t("sheet.sign_supervisor")))));
    main.setAttribute("aria-busy", "false");
  }

  render();
  Promise.all([
    get(`/api/complaints/${complaintId}`).then((body) => { complaint = body.complaint; },
      (err) => { error = err; }),
    loadChoices().then((choices) => { owners = choices?.owners ?? []; }),
  ]).then(() => { if (!destroyed) render(); });

  return { render, destroy() { destroyed = true; } };
}
