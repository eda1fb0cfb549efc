// A customer's card on its own (#/customer/<id>: from the search, a screen-pop, a
// complaint), with a Call button beside each valid number: a call without a follow-up
// (POST /api/calls {customer_id, phone}); the agent's phone rings first, then the
// customer's. The call's progress shows beside the card; once it has ended answered, the
// wrap-up form of an inbound call (category, notes, flag, complaint) records it, and the
// card's call list shows it. A customer who asked not to be called may still be called
// by hand, after the agent confirms (the server refuses without that confirmation).

import { get, post } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDuration, formatTime, t, tEnum } from "../i18n.js";
import { errorBox } from "../messages.js";
import { formatPhone } from "../phones.js";
import { renderCard } from "./card.js";
import { newWrapUp, renderSaved, renderWrapUp, saveWrapUp } from "./wrapup.js";

export function mountCustomer(main, ctx, customerId) {
  const s = {
    card: null, error: null,
    call: null, timeline: [], placing: false, callError: null,
    dndAsked: null, // the phone whose call waits for "call anyway"
    wrapEntry: null, // {callId, wrap} once an answered call has ended
  };
  let destroyed = false;
  let ticker = null;

  const cardEl = h("div", { class: "task-card" });
  const callEl = h("section", { class: "panel call-panel", testid: "call-panel",
                                "aria-labelledby": "call-heading" });

  async function loadCard() {
    try {
      s.card = (await get(`/api/customers/${customerId}`)).customer;
      s.error = null;
    } catch (error) {
      s.error = error;
    }
  }

  // ---- the call ---------------------------------------------------------------------

  const callActive = () => s.placing || (s.call && s.call.state !== "ended");
  const hasPhone = () => Boolean(ctx.user?.extension);
  const canCall = () => hasPhone() && !callActive() && !s.wrapEntry?.wrap.saving;

  async function placeCall(phone, confirmed = false) {
    if (!canCall()) return;
    if (s.card?.do_not_disturb && !confirmed) {
      s.dndAsked = phone;
      return renderAll();
    }
    s.dndAsked = null;
    s.placing = true;
    s.callError = null;
    s.wrapEntry = null;
    s.call = null;
    s.timeline = [];
    renderAll();
    try {
      const body = { customer_id: customerId, phone: phone.e164 };
      if (confirmed) body.do_not_disturb_ok = true;
      const { call } = await post("/api/calls", body);
      s.placing = false;
      applyCall(call);
    } catch (error) {
      s.placing = false;
      s.callError = error;
      renderAll();
    }
  }

  function applyCall(call) {
    if (!call || call.customer_id !== customerId || call.direction !== "outbound") return;
    if (call.followup_id) return; // a follow-up's call belongs to its task's view
    if (!s.call && !s.placing) return; // not placed from this card
    if (s.call && call.id !== s.call.id) return;
    const entry = ctx.calls.apply(call);
    const wasEnded = s.call?.state === "ended";
    s.call = { ...entry.call };
    s.timeline = entry.timeline;
    // Late news of an ended call (its recording) changes nothing shown: the wrap-up form
    // the agent may be typing in is left alone.
    if (wasEnded) return;
    if (s.call.state === "ended") ended(s.call);
    renderAll();
  }

  function ended(call) {
    if (call.disposition === "answered") s.wrapEntry = { callId: call.id, wrap: newWrapUp("") };
    // The card's call list gains this call.
    loadCard().then(() => { if (!destroyed) renderAll(); });
  }

  async function saveWrap() {
    await saveWrapUp(s.wrapEntry, { complaintCustomerId: customerId });
    if (destroyed) return;
    renderAll();
    if (s.wrapEntry?.wrap.saved) loadCard().then(() => { if (!destroyed) renderAll(); });
  }

  async function resync() {
    if (!s.call || s.call.state === "ended") return;
    try {
      const { call } = await get(`/api/calls/${s.call.id}`);
      if (!destroyed) applyCall(call);
    } catch {
      // The live messages will tell.
    }
  }

  // ---- rendering --------------------------------------------------------------------

  function callButton(phone) {
    return h("button", {
      type: "button", class: "button-call", testid: "call-button",
      dataset: { phone: phone.e164 }, disabled: !canCall(),
      "aria-label": t("card.call_label", { phone: formatPhone(phone.e164),
                                           label: tEnum("phone_label", phone.label) }),
      "aria-describedby": s.card?.do_not_disturb || !hasPhone() ? "phone-note" : null,
      onclick: () => placeCall(phone),
    }, t("card.call"));
  }

  function phoneNote() {
    if (!hasPhone()) {
      return h("p", { id: "phone-note", class: "note", testid: "no-extension-note" },
        t("customer.no_extension"));
    }
    if (!s.card?.do_not_disturb) return null;
    return h("div", { id: "phone-note", class: "note note-dnd", testid: "dnd-note" },
      h("p", {}, t("customer.dnd_note")),
      s.dndAsked && h("p", { class: "actions" },
        h("button", { type: "button", class: "button-primary", testid: "dnd-call-anyway",
                      onclick: () => placeCall(s.dndAsked, true) },
          t("customer.call_anyway", { phone: formatPhone(s.dndAsked.e164) })),
        h("button", { type: "button", class: "button-quiet", testid: "dnd-cancel",
                      onclick: () => { s.dndAsked = null; renderAll(); } }, t("queue.cancel"))));
  }

  function renderCallPart() {
    const call = s.call;
    clearInterval(ticker);
    ticker = null;
    const state = s.placing ? "placing" : call?.state ?? "idle";
    let clock = null;
    if (call?.state === "answered") {
      const start = call.answered_at ? new Date(call.answered_at) : new Date();
      clock = h("p", { class: "call-clock", testid: "call-elapsed" });
      const tick = () => {
        clock.textContent = t("call.elapsed", { duration: formatDuration((Date.now() - start) / 1000) });
      };
      tick();
      ticker = setInterval(tick, 1000);
    }
    const wrap = s.wrapEntry;
    fill(callEl,
      h("h2", { id: "call-heading" }, t("call.heading")),
      call && h("p", { class: "call-phone" }, t("call.phone"), " ",
        h("span", { class: "mono", testid: "call-phone" }, formatPhone(call.phone))),
      h("p", { class: `call-state call-state-${state}`, testid: "call-state", dataset: { state },
               role: "status", "aria-live": "polite" },
        s.placing ? t("call.placing") : call ? tEnum("call_state", call.state) : t("customer.call_idle")),
      call?.state === "ended" && h("p", { testid: "call-disposition",
                                          dataset: { disposition: call.disposition ?? "" } },
        tEnum("disposition", call.disposition)),
      clock,
      s.timeline.length > 0 && h("ol", { class: "timeline", testid: "call-timeline",
                                         "aria-label": t("call.timeline") },
        s.timeline.map((step) => h("li", { dataset: { state: step.state } },
          h("time", { datetime: step.at.toISOString() }, formatTime(step.at)), " ",
          tEnum("call_state", step.state)))),
      s.callError && h("div", { class: "call-error" },
        h("p", { class: "alert-heading" }, t("call.refused")), errorBox(s.callError, "call-error")),
      wrap && (wrap.wrap.saved ? renderSaved(wrap)
        : renderWrapUp(wrap, { customer: { id: customerId, name: s.card?.name },
                               onSave: saveWrap, onChange: renderAll })));
  }

  function renderAll() {
    if (destroyed) return;
    fill(cardEl, s.error ? errorBox(s.error, "card-error")
      : s.card ? renderCard(s.card, { callButton, phoneNote: phoneNote() })
        : h("p", { class: "muted" }, t("app.loading")));
    renderCallPart();
    main.setAttribute("aria-busy", String(!s.card && !s.error));
  }

  function render() {
    fill(main, h("section", { class: "page task-page", testid: "customer-view",
                              "aria-labelledby": "customer-heading" },
      h("p", {}, h("a", { href: "#/customers" }, t("customer.back_to_search"))),
      h("h1", { id: "customer-heading", class: "visually-hidden" },
        t("customer.heading", { id: customerId })),
      h("div", { class: "task-grid" }, cardEl, h("div", { class: "task-side" }, callEl))));
    renderAll();
  }

  const onStatus = (event) => { if (event.detail === "open") resync(); };
  ctx.live?.addEventListener("status", onStatus);

  render();
  loadCard().then(() => renderAll());

  return {
    render,
    onMessage(message) {
      if (message.type === "call" && message.call) applyCall(message.call);
    },
    destroy() {
      destroyed = true;
      clearInterval(ticker);
      ctx.live?.removeEventListener("status", onStatus);
    },
  };
}
