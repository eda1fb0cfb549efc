// One candidate of a screen-pop (docs/api.md, "A pop's card"): who the caller may be,
// with what is open for them, compact enough to read while the phone rings.

import { h } from "../dom.js";
import {
  formatDate, formatDateTime, localized, t, tEnum,
} from "../i18n.js";
import { customerBadges } from "./badges.js";

const list = (value) => (Array.isArray(value) ? value : []);

function block(testid, titleKey, rows, renderRow) {
  return h("section", { class: "pop-block", testid },
    h("h4", {}, t(titleKey), h("span", { class: "count" }, rows.length)),
    rows.length === 0 ? h("p", { class: "empty" }, t("pop.none_yet"))
      : h("ul", { class: "pop-list" }, rows.map((row) => h("li", {}, renderRow(row)))));
}

export function deadlineBadge(state, testid = "deadline-state") {
  return h("span", { class: `deadline deadline-${state ?? "unknown"}`, testid,
                     dataset: { state: state ?? "" } }, tEnum("deadline_state", state));
}

function complaintRow(c) {
  const deadlines = list(c.deadlines);
  return [
    h("div", { class: "pop-line" },
      deadlineBadge(c.deadline_state),
      h("span", { class: `badge badge-severity-${c.severity}` }, tEnum("severity", c.severity)),
      h("span", { class: "muted" }, tEnum("complaint_status", c.status), " · ",
        formatDateTime(c.opened_at))),
    c.description && h("p", { class: "pop-desc" }, c.description),
    deadlines.length > 0 && h("ul", { class: "deadlines", "aria-label": t("pop.deadline_label") },
      deadlines.map((d) => h("li", { dataset: { state: d.state } },
        deadlineBadge(d.state, "deadline-step"), " ", tEnum("deadline_step", d.step), " · ",
        formatDateTime(d.due_at)))),
  ];
}

function callRow(c) {
  return h("span", {},
    formatDateTime(c.started_at), " · ", tEnum("direction", c.direction), " · ",
    tEnum("disposition", c.disposition),
    c.category && [" · ", tEnum("category", c.category)],
    c.recording_id && h("span", { class: "badge badge-rec" }, t("pop.recording")));
}

/**
 * A candidate's card. `choice` is {chosen, single, onChoose}: several candidates get a
 * button each to say which one is calling.
 */
export function renderCandidate(card, { chosen = false, single = false, onChoose, open = true } = {}) {
  const vehicles = list(card.vehicles);
  const tips = card.tips ? localized(card.tips) : "";
  const appointment = card.next_appointment;
  const status = single ? h("span", { class: "chosen-mark", testid: "pop-matched" }, t("pop.matched"))
    : chosen ? h("span", { class: "chosen-mark", testid: "pop-chosen" }, "✓ ", t("pop.chosen"))
      : h("button", { type: "button", class: "button-quiet button-small", testid: "pop-choose",
                      onclick: (e) => { e.preventDefault(); onChoose?.(card.id); } },
        t("pop.choose"));
  return h("details", { class: `pop-candidate${chosen || single ? " is-chosen" : ""}`,
                        testid: "pop-candidate", dataset: { customerId: card.id }, open },
    h("summary", {},
      h("span", { class: "pop-name", testid: "pop-name" }, card.name ?? `#${card.id}`),
      customerBadges(card),
      status),
    h("div", { class: "pop-body" },
      (card.temperament || tips) && h("div", { class: "pop-tips", testid: "pop-tips" },
        h("strong", {}, t("pop.tips"), card.temperament ? ` · ${tEnum("temperament", card.temperament)}` : ""),
        tips && h("p", {}, tips)),
      card.next_maintenance_date && h("p", { class: "muted" },
        t("pop.next_maintenance", { date: formatDate(card.next_maintenance_date) })),
      block("pop-vehicles", "pop.vehicles", vehicles, (v) => [
        h("strong", {}, v.plate ?? t("app.unknown")), " ", v.model ?? "",
        v.vin && h("span", { class: "mono muted" }, " ", v.vin)]),
      block("pop-complaints", "pop.open_complaints", list(card.open_complaints), complaintRow),
      block("pop-followups", "pop.open_followups", list(card.open_followups), (f) =>
        t("pop.followup_line", { kind: tEnum("kind", f.kind), due: formatDate(f.due_date),
                                 status: tEnum("status", f.status) })),
      h("section", { class: "pop-block", testid: "pop-appointment" },
        h("h4", {}, t("pop.next_appointment")),
        appointment
          ? h("p", {}, t("pop.appointment_line", {
            when: formatDateTime(appointment.starts_at), plate: appointment.plate ?? "",
            work: tEnum("work_kind", appointment.work_kind) }))
          : h("p", { class: "empty" }, t("pop.none_yet"))),
      block("pop-calls", "pop.last_calls", list(card.last_calls), callRow),
      h("p", { class: "pop-open" }, h("a", { href: `#/customer/${card.id}`, testid: "pop-customer" },
        t("pop.open", { name: card.name ?? card.id })))));
}
