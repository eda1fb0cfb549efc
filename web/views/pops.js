// The inbound call desk: a panel docked beside the page for each inbound call of this
// agent, from the screen-pop (before answering) to the saved wrap-up.
//
//   pop                -> ringing: who is calling (candidates, or a new-caller card with
//                         a quick-create), what they chose in the IVR
//   call answered      -> answered: the same card stays as the current call's
//   call ended         -> ended: the wrap-up form
//   wrap-up saved      -> saved: a confirmation, closed by the agent or after a while
//   pop_withdrawn      -> withdrawn: a short note why, then it goes away
//
// After a reload the pop is gone but agent_state.wrap_up_call_id still names the call
// that needs its wrap-up: the desk fetches it (GET /api/calls/{id}) and offers the form.

import { get, post } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDuration, formatTime, has, t, tEnum } from "../i18n.js";
import { errorBox } from "../messages.js";
import { formatPhone } from "../phones.js";
import { renderCandidate } from "./popcard.js";
import { newWrapUp, renderSaved, renderWrapUp, saveWrapUp } from "./wrapup.js";

const WITHDRAWN_MS = 12000; // how long a withdrawn pop's note stays
const SAVED_MS = 8000; // how long the saved confirmation stays
const WITHDRAW_REASONS = ["caller_hung_up", "answered_elsewhere", "not_answered"];

export class PopTray {
  constructor(el, announceEl = null) {
    this.el = el;
    this.announceEl = announceEl;
    this.entries = new Map(); // call_id -> entry
    this.done = new Set(); // call ids wrapped up or fetched: never offered again
    this.timers = new Map(); // call_id -> timeout
    this.ticker = null;
  }

  // ---- messages ---------------------------------------------------------------------

  entry(callId) {
    let entry = this.entries.get(callId);
    if (!entry) {
      entry = {
        callId, pop: null, call: null, phase: "ringing", withdrawn: null, recovered: false,
        chosenId: null, created: null,
        create: { name: "", phone: "", busy: false, error: null },
        wrap: newWrapUp(""),
      };
      this.entries.set(callId, entry);
    }
    return entry;
  }

  onMessage(message) {
    if (message.type === "pop" && message.call_id) {
      const fresh = !this.entries.has(message.call_id);
      const entry = this.entry(message.call_id);
      entry.pop = message;
      const candidates = Array.isArray(message.candidates) ? message.candidates : [];
      if (entry.chosenId === null && candidates.length === 1) entry.chosenId = candidates[0].id;
      if (!entry.create.phone) entry.create.phone = message.caller?.e164 ?? "";
      if (fresh || entry.phase === "withdrawn") {
        entry.phase = "ringing";
        entry.withdrawn = null;
        entry.wrap = newWrapUp(message.ivr_choice);
        this.clearTimer(message.call_id);
        this.announce(message);
      }
    } else if (message.type === "pop_withdrawn") {
      const entry = this.entries.get(message.call_id);
      if (!entry || entry.phase !== "ringing") return;
      entry.phase = "withdrawn";
      entry.withdrawn = message.reason;
      this.later(entry.callId, WITHDRAWN_MS, () => entry.phase === "withdrawn");
    } else if (message.type === "call" && message.call?.direction === "inbound") {
      const call = message.call;
      if (this.done.has(call.id) && !this.entries.has(call.id)) return;
      const entry = this.entry(call.id);
      entry.call = { ...(entry.call ?? {}), ...call };
      if (call.state === "answered" && ["ringing", "withdrawn"].includes(entry.phase)) {
        entry.phase = "answered";
        this.clearTimer(call.id);
      } else if (call.state === "ended" && !["ended", "saved"].includes(entry.phase)) {
        entry.phase = "ended";
        if (!entry.pop) entry.wrap = newWrapUp(call.ivr_choice);
        this.clearTimer(call.id);
      }
    } else {
      return;
    }
    this.render();
  }

  /** A call waiting for its wrap-up that this console has no panel for (a reload). */
  async recover(callId) {
    if (!callId || this.entries.has(callId) || this.done.has(callId)) return;
    this.done.add(callId); // asked once
    try {
      const { call } = await get(`/api/calls/${callId}`);
      if (this.entries.has(callId) || call.state !== "ended" || call.direction !== "inbound") return;
      const entry = this.entry(callId);
      entry.call = call;
      entry.phase = "ended";
      entry.recovered = true;
      entry.wrap = newWrapUp(call.ivr_choice);
      if (call.customer_id) this.loadCustomerName(entry, call.customer_id);
      this.render();
    } catch {
      this.done.delete(callId); // asked again with the next agent_state
    }
  }

  async loadCustomerName(entry, customerId) {
    try {
      const { customer } = await get(`/api/customers/${customerId}`);
      entry.created = { id: customer.id, name: customer.name, known: true };
      this.render();
    } catch {
      // The wrap-up names the customer by number then.
    }
  }

  announce(pop) {
    if (!this.announceEl) return;
    const candidates = Array.isArray(pop.candidates) ? pop.candidates : [];
    const who = candidates.map((c) => c.name).filter(Boolean).join(", ")
      || (pop.caller?.withheld ? t("pop.withheld")
        : pop.caller?.e164 ? formatPhone(pop.caller.e164) : pop.caller?.raw ?? "");
    this.announceEl.textContent = t("pop.announce", { who });
  }

  later(callId, ms, stillWanted) {
    this.clearTimer(callId);
    this.timers.set(callId, setTimeout(() => {
      this.timers.delete(callId);
      if (stillWanted()) this.remove(callId);
    }, ms));
  }

  clearTimer(callId) {
    clearTimeout(this.timers.get(callId));
    this.timers.delete(callId);
  }

  remove(callId) {
    this.clearTimer(callId);
    this.entries.delete(callId);
    this.render();
  }

  clear() {
    for (const id of this.timers.keys()) this.clearTimer(id);
    this.entries.clear();
    this.done.clear();
    this.render();
  }

  // ---- actions ----------------------------------------------------------------------

  customerOf(entry) {
    const candidates = Array.isArray(entry.pop?.candidates) ? entry.pop.candidates : [];
    if (entry.created) return entry.created;
    const chosen = candidates.find((c) => c.id === entry.chosenId);
    if (chosen) return { id: chosen.id, name: chosen.name };
    if (entry.call?.customer_id) return { id: entry.call.customer_id, name: `#${entry.call.customer_id}` };
    return null;
  }

  async quickCreate(entry, form) {
    if (!form.reportValidity()) return;
    const c = entry.create;
    c.busy = true;
    c.error = null;
    this.render();
    try {
      const name = c.name.trim();
      const { customer } = await post("/api/customers", { name, phone: c.phone.trim() });
      entry.created = { id: customer.id, name };
      entry.chosenId = customer.id;
    } catch (error) {
      c.error = error;
    }
    c.busy = false;
    this.render();
  }

  async save(entry) {
    // The call is linked to the customer the agent chose or created (the server keeps a
    // link it made itself); a complaint goes to whoever the call is about.
    const pending = saveWrapUp(entry, { linkId: entry.chosenId,
                                        complaintCustomerId: this.customerOf(entry)?.id });
    this.render();
    await pending;
    if (entry.wrap.saved) {
      entry.phase = "saved";
      this.done.add(entry.callId);
      this.later(entry.callId, SAVED_MS, () => entry.phase === "saved");
    }
    this.render();
  }

  // ---- rendering --------------------------------------------------------------------

  render() {
    clearInterval(this.ticker);
    this.ticker = null;
    // Keep the agent's place: a re-render must not steal the focus from a field.
    const active = this.el.contains(document.activeElement) ? document.activeElement : null;
    const focusId = active?.id;
    const selection = active && "selectionStart" in active
      ? [active.selectionStart, active.selectionEnd] : null;
    const entries = [...this.entries.values()];
    fill(this.el, entries.map((entry) => this.renderEntry(entry)));
    document.body.classList.toggle("has-desk", entries.length > 0);
    if (focusId) {
      const again = document.getElementById(focusId);
      if (again && this.el.contains(again)) {
        again.focus({ preventScroll: true });
        if (selection && again.setSelectionRange) {
          try { again.setSelectionRange(...selection); } catch { /* not a text field */ }
        }
      }
    }
  }

  renderEntry(entry) {
    const pop = entry.pop;
    const caller = pop?.caller ?? (entry.call ? { e164: entry.call.phone, raw: entry.call.phone } : {});
    const ivr = pop?.ivr_choice || entry.call?.ivr_choice || "";
    const complaint = ivr === "complaint";
    const headingId = `desk-heading-${entry.callId}`;
    const closable = ["withdrawn", "saved"].includes(entry.phase);
    const fresh = !entry.shown; // only a panel that has just appeared slides in
    entry.shown = true;
    return h("section", {
      class: `desk-call phase-${entry.phase}${complaint ? " is-complaint" : ""}${fresh ? " is-new" : ""}`,
      testid: "pop", "aria-labelledby": headingId,
      dataset: { callId: entry.callId, phase: entry.phase, match: pop?.match ?? "" },
    },
      h("header", { class: "desk-head" },
        h("h2", { id: headingId, testid: "pop-heading" }, t(`pop.heading.${entry.phase}`)),
        closable && h("button", { type: "button", class: "button-quiet button-small",
                                  testid: "pop-dismiss", onclick: () => this.remove(entry.callId) },
          t("pop.dismiss"))),
      this.renderCaller(entry, caller, ivr),
      complaint && h("p", { class: "ivr-complaint", testid: "pop-ivr-complaint", role: "note" },
        t("pop.ivr_complaint_note")),
      entry.phase === "withdrawn" && h("div", { class: "alert alert-warn", role: "status",
                                                testid: "pop-withdrawn",
                                                dataset: { reason: entry.withdrawn ?? "" } },
        h("p", {}, t(WITHDRAW_REASONS.includes(entry.withdrawn)
          ? `pop.withdrawn.${entry.withdrawn}` : "pop.withdrawn.other"))),
      entry.phase === "saved" && renderSaved(entry),
      entry.phase === "ended" && renderWrapUp(entry, {
        customer: this.customerOf(entry),
        onSave: () => this.save(entry),
        onChange: () => this.render(),
      }),
      entry.phase !== "saved" && this.renderWho(entry));
  }

  renderCaller(entry, caller, ivr) {
    const number = caller.withheld ? h("span", { testid: "pop-caller", dataset: { withheld: "true" } },
      t("pop.withheld"))
      : caller.e164 ? h("span", { class: "mono caller-number", testid: "pop-caller",
                                  dataset: { e164: caller.e164 } }, formatPhone(caller.e164))
        : h("span", { testid: "pop-caller" }, t("pop.unknown_number", { raw: caller.raw ?? "" }));
    let clock = null;
    if (entry.phase === "answered" && entry.call?.answered_at) {
      const start = new Date(entry.call.answered_at);
      clock = h("span", { class: "call-clock", testid: "pop-elapsed" });
      const tick = () => {
        clock.textContent = t("pop.elapsed", { duration: formatDuration((Date.now() - start) / 1000) });
      };
      tick();
      this.ticker = setInterval(tick, 1000);
    }
    return h("div", { class: "desk-caller" },
      h("p", {}, h("span", { class: "muted" }, t("pop.caller_label"), " "), number),
      h("p", { class: "desk-meta" },
        ivr && h("span", { class: `ivr-chip${ivr === "complaint" ? " ivr-chip-complaint" : ""}`,
                           testid: "pop-ivr", dataset: { choice: ivr } },
          t("pop.ivr", { choice: tEnum("ivr_choice", ivr) })),
        entry.phase === "ringing" && entry.pop?.rung_at && h("span", { class: "muted" },
          t("pop.rung_at", { time: formatTime(new Date(entry.pop.rung_at * 1000)) })),
        clock));
  }

  /** The candidates, or the new-caller card. */
  renderWho(entry) {
    const pop = entry.pop;
    if (!pop) return null;
    const candidates = Array.isArray(pop.candidates) ? pop.candidates : [];
    const match = pop.match ?? (candidates.length ? "one" : "none");
    const single = candidates.length === 1;
    const compact = entry.phase === "ended"; // the form comes first then
    return h("div", { class: "desk-who" },
      h("p", { class: `match match-${match}`, testid: "pop-match" },
        has(`pop.match.${match}`) ? t(`pop.match.${match}`, { count: candidates.length }) : match),
      candidates.length > 1 && entry.chosenId === null && h("p", { class: "note" }, t("pop.choose_hint")),
      candidates.map((card) => renderCandidate(card, {
        single, chosen: entry.chosenId === card.id,
        open: !compact && (single || candidates.length <= 2 || entry.chosenId === card.id),
        onChoose: (id) => { entry.chosenId = id; entry.created = null; this.render(); },
      })),
      candidates.length === 0 && this.renderNewCaller(entry));
  }

  renderNewCaller(entry) {
    const c = entry.create;
    if (entry.created) {
      return h("div", { class: "new-caller", testid: "new-caller" },
        h("p", { class: "alert alert-ok", testid: "pop-created",
                 dataset: { customerId: entry.created.id } },
          t("pop.created", { name: entry.created.name, id: entry.created.id })),
        h("a", { href: `#/customer/${entry.created.id}`, testid: "pop-customer" },
          t("pop.open", { name: entry.created.name })));
    }
    const id = (name) => `new-caller-${entry.callId}-${name}`;
    return h("form", { class: "new-caller", testid: "new-caller",
                       onsubmit: (e) => { e.preventDefault(); this.quickCreate(entry, e.currentTarget); } },
      h("h3", {}, t("pop.new_caller")),
      h("p", { class: "note" }, t("pop.new_caller_hint")),
      h("div", { class: "field" },
        h("label", { for: id("name") }, t("pop.create_name")),
        h("input", { id: id("name"), type: "text", required: true, maxlength: "100",
                     testid: "new-caller-name", value: c.name, disabled: c.busy,
                     oninput: (e) => { c.name = e.target.value; } })),
      h("div", { class: "field" },
        h("label", { for: id("phone") }, t("pop.create_phone")),
        h("input", { id: id("phone"), type: "tel", required: true, maxlength: "40",
                     testid: "new-caller-phone", value: c.phone, disabled: c.busy,
                     oninput: (e) => { c.phone = e.target.value; } })),
      c.error && errorBox(c.error, "new-caller-error"),
      h("button", { type: "submit", class: "button-primary", testid: "new-caller-submit",
                    disabled: c.busy }, c.busy ? t("pop.creating") : t("pop.create_submit")));
  }
}
