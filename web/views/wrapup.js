// The wrap-up of an inbound call once it has ended: category, notes, an optional
// nuisance/threat flag (details required), and optionally a complaint opened at the same
// time (POST /api/complaints, then POST /api/calls/{id}/wrapup). The entry (see pops.js)
// keeps what the agent typed, so a re-render or a failed save loses nothing.

import { post } from "../api.js";
import { h } from "../dom.js";
import { t, tEnum } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";

export const CATEGORIES = ["inquiry", "complaint", "appointment", "followup", "other"];
const FLAGS = ["nuisance", "threat"];
const SEVERITIES = ["normal", "major"];

export function newWrapUp(ivrChoice) {
  return {
    category: ivrChoice === "complaint" ? "complaint" : "",
    notes: "", flagOn: false, flag: "nuisance", flagDetails: "",
    complaintOn: false, description: "", severity: "normal",
    saving: false, error: null, complaintId: null, saved: null,
  };
}

/** Save: the complaint first (once), then the wrap-up. Errors stay on the form. */
export async function saveWrapUp(entry, { linkId = null, complaintCustomerId = null } = {}) {
  const w = entry.wrap;
  w.saving = true;
  w.error = null;
  try {
    if (w.complaintOn && !w.complaintId) {
      const { complaint } = await post("/api/complaints", {
        customer_id: complaintCustomerId, call_id: entry.callId,
        description: w.description.trim(), severity: w.severity });
      w.complaintId = complaint.id;
    }
    const body = { category: w.category, notes: w.notes.trim(),
                   flag: w.flagOn ? w.flag : null,
                   flag_details: w.flagOn ? w.flagDetails.trim() : null };
    if (linkId) body.customer_id = linkId;
    const { call } = await post(`/api/calls/${entry.callId}/wrapup`, body);
    w.saved = { call, category: w.category };
  } catch (error) {
    w.error = error;
  }
  w.saving = false;
}

/** The form. `customer` {id, name} | null: who the call is linked to. */
export function renderWrapUp(entry, { customer, onSave, onChange }) {
  const w = entry.wrap;
  const id = (name) => `wrapup-${entry.callId}-${name}`;
  const set = (name, rerender = false) => (event) => {
    const el = event.target;
    w[name] = el.type === "checkbox" ? el.checked : el.value;
    if (rerender) onChange();
  };
  const disabled = w.saving;
  return h("form", { class: "wrapup", testid: "wrapup-form",
                     onsubmit: (event) => {
                       event.preventDefault();
                       if (event.currentTarget.reportValidity()) onSave();
                     } },
    h("h3", { class: "visually-hidden" }, t("wrapup.heading")),
    entry.recovered && noticeBox(t("wrapup.recovered"), { testid: "wrapup-recovered" }),
    h("p", { class: "wrapup-customer", testid: "wrapup-customer" },
      customer ? t("pop.linked_customer", { name: customer.name ?? `#${customer.id}` })
        : h("span", { class: "muted" }, t("pop.no_customer"))),
    h("fieldset", { class: "segmented", testid: "wrapup-category" },
      h("legend", {}, t("wrapup.category")),
      CATEGORIES.map((value) => h("label", { class: "segment" },
        h("input", { type: "radio", name: id("category"), value, required: true,
                     checked: w.category === value, disabled,
                     testid: `wrapup-category-${value}`, onchange: set("category") }),
        h("span", {}, tEnum("category", value))))),
    h("div", { class: "field" },
      h("label", { for: id("notes") }, t("wrapup.notes")),
      h("textarea", { id: id("notes"), testid: "wrapup-notes", rows: "3", maxlength: "4000",
                      placeholder: t("wrapup.notes_hint"), disabled, oninput: set("notes") },
        w.notes)),
    h("label", { class: "check" },
      h("input", { type: "checkbox", checked: w.flagOn, disabled, testid: "wrapup-flag",
                   onchange: set("flagOn", true) }),
      t("wrapup.flag")),
    w.flagOn && h("div", { class: "subform flag-form" },
      h("fieldset", { class: "inline-choices" },
        h("legend", {}, t("wrapup.flag_kind")),
        FLAGS.map((value) => h("label", {},
          h("input", { type: "radio", name: id("flag"), value, checked: w.flag === value,
                       disabled, testid: `wrapup-flag-${value}`, onchange: set("flag") }),
          " ", t(`flag.${value}`)))),
      h("div", { class: "field" },
        h("label", { for: id("flag-details") }, t("wrapup.flag_details")),
        h("textarea", { id: id("flag-details"), testid: "wrapup-flag-details", rows: "2",
                        required: true, maxlength: "4000", disabled,
                        oninput: set("flagDetails") }, w.flagDetails))),
    h("label", { class: "check" },
      h("input", { type: "checkbox", checked: w.complaintOn || Boolean(w.complaintId),
                   disabled: disabled || !customer || Boolean(w.complaintId),
                   testid: "wrapup-complaint", onchange: set("complaintOn", true) }),
      t("wrapup.complaint")),
    !customer && h("p", { class: "note" }, t("wrapup.complaint_needs_customer")),
    w.complaintId && noticeBox(t("wrapup.complaint_kept", { id: w.complaintId }),
      { testid: "wrapup-complaint-id", kind: "ok" }),
    w.complaintOn && customer && !w.complaintId && h("div", { class: "subform complaint-form" },
      h("div", { class: "field" },
        h("label", { for: id("complaint") }, t("wrapup.complaint_description")),
        h("textarea", { id: id("complaint"), testid: "wrapup-complaint-description", rows: "3",
                        required: true, maxlength: "4000", disabled,
                        oninput: set("description") }, w.description)),
      h("div", { class: "field" },
        h("label", { for: id("severity") }, t("wrapup.severity")),
        h("select", { id: id("severity"), testid: "wrapup-severity", disabled,
                      onchange: set("severity") },
          SEVERITIES.map((value) => h("option", { value, selected: w.severity === value },
            tEnum("severity", value)))))),
    w.error && errorBox(w.error, "wrapup-error"),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "button-primary", testid: "wrapup-save", disabled },
        w.saving ? t("wrapup.saving") : t("wrapup.save"))));
}

/** What is shown once saved. */
export function renderSaved(entry) {
  const w = entry.wrap;
  return h("div", { class: "alert alert-ok", role: "status", testid: "wrapup-saved" },
    h("p", {}, t("wrapup.saved", { category: tEnum("category", w.saved?.category) })),
    w.complaintId && h("p", { testid: "wrapup-complaint-opened" },
      t("wrapup.complaint_opened", { id: w.complaintId })));
}
