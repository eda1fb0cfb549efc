// The customer card: what GET /api/customers/{id} returns, section by section. A section
// the server did not send is left out; an empty one says so.

import { h } from "../dom.js";
import {
  formatDate, formatDateTime, formatDuration, formatNumber, t, tEnum,
} from "../i18n.js";
import { formatPhone } from "../phones.js";
import { customerBadges } from "./badges.js";

const PROFILE_FIELDS = [
  ["external_ref", (v) => v],
  ["gender", (v) => tEnum("gender", v)],
  ["birthday", formatDate],
  ["value_level", (v) => tEnum("value_level", v)],
  ["temperament", (v) => tEnum("temperament", v)],
  ["next_maintenance_date", formatDate],
  ["address", (v) => v],
  ["notes", (v) => v],
];

const text = (v) => (v === null || v === undefined || v === "" ? t("app.unknown") : String(v));

function answersText(answers) {
  if (!answers || typeof answers !== "object") return t("app.unknown");
  return Object.entries(answers).map(([id, score]) => `${id}: ${score}`).join(" · ");
}

/** A call's recording as a player (each play is audited by the server), or why there is none. */
export function recordingCell(call) {
  const id = call.recording?.id ?? call.recording_id;
  const status = call.recording?.status ?? call.recording_status;
  if (!id && !status) return h("span", { class: "muted" }, t("recording.none"));
  if (id && (status === "ready" || status === undefined)) {
    return h("audio", { controls: true, preload: "none", src: `/api/recordings/${id}/audio`,
                        "aria-label": t("recording.play"), testid: "recording" });
  }
  return h("span", { class: "muted" }, t("recording.pending"));
}

export function callDuration(call) {
  if (call.duration !== undefined && call.duration !== null) return formatDuration(call.duration);
  if (call.answered_at && call.ended_at) {
    return formatDuration((new Date(call.ended_at) - new Date(call.answered_at)) / 1000);
  }
  const ms = call.recording?.duration_ms ?? call.recording_duration_ms;
  return ms ? formatDuration(ms / 1000) : t("app.unknown");
}

/** Columns of each list section: [label key, cell(row)]. */
const SECTIONS = {
  vehicles: [
    ["col.plate", (r) => text(r.plate)],
    ["col.model", (r) => text(r.model)],
    ["col.vin", (r) => h("span", { class: "mono" }, text(r.vin))],
    ["col.sale_date", (r) => formatDate(r.sale_date)],
    ["col.delivery_date", (r) => formatDate(r.delivery_date)],
    ["col.mileage", (r) => formatNumber(r.mileage_km)],
  ],
  service_orders: [
    ["col.settled_at", (r) => formatDate(r.settled_at)],
    ["col.order_no", (r) => text(r.order_no)],
    ["col.plate", (r) => text(r.plate)],
    ["col.kind", (r) => tEnum("order_kind", r.kind)],
    ["col.advisor", (r) => text(r.advisor)],
    ["col.mileage", (r) => formatNumber(r.mileage_km)],
    ["col.amount", (r) => formatNumber(r.amount)],
  ],
  followups: [
    ["col.due_date", (r) => formatDate(r.due_date)],
    ["col.kind", (r) => tEnum("kind", r.kind)],
    ["col.status", (r) => tEnum("status", r.status)],
    ["col.attempts", (r) => text(r.attempts)],
    ["col.answers", (r) => answersText(r.answers)],
    ["col.score", (r) => text(r.score)],
    ["col.result", (r) => tEnum("result", r.result)],
  ],
  complaints: [
    ["col.opened_at", (r) => formatDateTime(r.opened_at)],
    ["col.source", (r) => tEnum("complaint_source", r.source)],
    ["col.severity", (r) => tEnum("severity", r.severity)],
    ["col.status", (r) => tEnum("complaint_status", r.status)],
    ["col.description", (r) => text(r.description)],
  ],
  appointments: [
    ["col.starts_at", (r) => formatDateTime(r.starts_at)],
    ["col.plate", (r) => text(r.plate)],
    ["col.work_kind", (r) => tEnum("work_kind", r.work_kind)],
    ["col.channel", (r) => tEnum("channel", r.channel)],
    ["col.status", (r) => tEnum("appointment_status", r.status)],
  ],
  calls: [
    ["col.started_at", (r) => formatDateTime(r.started_at)],
    ["col.direction", (r) => tEnum("direction", r.direction)],
    ["col.agent", (r) => text(r.agent)],
    ["col.disposition", (r) => tEnum("disposition", r.disposition)],
    ["col.category", (r) => tEnum("category", r.category)],
    ["col.duration", (r) => callDuration(r)],
    ["col.recording", recordingCell],
  ],
};

function listSection(name, rows, highlight) {
  const columns = SECTIONS[name];
  const headingId = `card-${name}`;
  return h("section", { class: "card-section", testid: `card-${name}`, "aria-labelledby": headingId },
    h("h3", { id: headingId }, t(`card.${name}`),
      h("span", { class: "count" }, rows.length)),
    rows.length === 0
      ? h("p", { class: "empty" }, t("card.empty"))
      : h("div", { class: "table-scroll" }, h("table", { class: "table compact" },
          h("thead", {}, h("tr", {}, columns.map(([key]) => h("th", { scope: "col" }, t(key))))),
          h("tbody", {}, rows.map((row) => h("tr", {
            class: highlight && highlight(row) ? "highlight" : null,
          }, columns.map(([, cell]) => h("td", {}, cell(row)))))))));
}

/**
 * The card. `phones` gives each number its row, as people read it; `callButton(phone)`
 * (optional) the button beside it, never beside a number marked invalid (a wrong
 * number); `phoneNote` a note under the numbers (do not disturb, closed task).
 */
export function renderCard(card, { callButton, phoneNote, currentTaskId } = {}) {
  const profileRows = PROFILE_FIELDS
    .filter(([key]) => card[key] !== undefined && card[key] !== null && card[key] !== "")
    .map(([key, show]) => [h("dt", {}, t(`card.${key}`)), h("dd", {}, show(card[key]))]);
  const phones = Array.isArray(card.phones) ? card.phones : [];
  return h("article", { class: "customer-card", testid: "customer-card",
                        "aria-labelledby": "card-name" },
    h("header", { class: "card-head" },
      h("h2", { id: "card-name", testid: "customer-name" }, text(card.name)),
      customerBadges(card)),
    profileRows.length > 0 && h("section", { class: "card-section", "aria-label": t("card.profile") },
      h("dl", { class: "profile" }, profileRows)),
    h("section", { class: "card-section", testid: "card-phones", "aria-labelledby": "card-phones" },
      h("h3", { id: "card-phones" }, t("card.phones")),
      phones.length === 0 ? h("p", { class: "empty" }, t("card.empty"))
        : h("ul", { class: "phones" }, phones.map((phone) => h("li", {
            class: `phone${phone.invalid ? " is-invalid" : ""}`, testid: "card-phone",
            dataset: { e164: phone.e164 } },
            h("span", { class: "mono phone-number" }, formatPhone(phone.e164)),
            h("span", { class: "muted" }, tEnum("phone_label", phone.label)),
            phone.invalid
              ? h("span", { class: "badge badge-invalid", testid: "phone-invalid" }, t("card.phone_invalid"))
              : callButton && callButton(phone)))),
      phoneNote),
    Object.keys(SECTIONS).filter((name) => Array.isArray(card[name])).map((name) =>
      listSection(name, card[name],
        name === "followups" && currentTaskId ? (row) => row.id === currentTaskId : null)));
}
