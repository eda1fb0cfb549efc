// One follow-up: the customer card with a Call button per number, the live call panel fed
// by the WebSocket, and the questionnaire of the task's template.

import { get, post } from "../api.js";
import { h, fill } from "../dom.js";
import {
  formatDate, formatDateTime, formatDuration, formatTime, localized, t, tEnum,
} from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";
import { formatPhone } from "../phones.js";
import { customerBadges } from "./badges.js";
import { renderCard } from "./card.js";
import { MileageForm } from "./mileage.js";

const OPEN_STATUSES = ["open", "call_again"];
const FAILED_DISPOSITIONS = ["busy", "no_answer", "unreachable", "failed", "wrong_number"];

export function mountTask(main, ctx, taskId) {
  const s = {
    task: null, template: null, loadError: null,
    card: null, cardError: null,
    call: null, timeline: [], placing: false, callError: null,
    answeredCallId: null, afterKey: null,
    answers: {}, submitting: false, outcome: null, outcomeError: null,
    spokeWith: "", callbackAt: "", dndError: null,
  };
  let destroyed = false;
  let ticker = null;
  const timers = new Set();

  const headEl = h("div", { class: "task-head" });
  const cardEl = h("div", { class: "task-card" });
  const callEl = h("section", { class: "panel call-panel", testid: "call-panel",
                                "aria-labelledby": "call-heading" });
  const formEl = h("section", { class: "panel questionnaire-panel",
                                "aria-labelledby": "form-heading" });
  const mileage = new MileageForm(); // the mileage told during the call

  const later = (fn, ms) => {
    const id = setTimeout(() => { timers.delete(id); if (!destroyed) fn(); }, ms);
    timers.add(id);
  };

  // ---- data -------------------------------------------------------------------------

  async function loadTask() {
    try {
      const body = await get(`/api/followups/${taskId}`);
      s.task = body.task;
      s.template = body.template ?? null;
      s.loadError = null;
    } catch (error) {
      s.loadError = error;
    }
  }

  async function loadCard() {
    const customerId = s.task?.customer?.id;
    if (!customerId) return;
    try {
      s.card = (await get(`/api/customers/${customerId}`)).customer;
      s.cardError = null;
    } catch (error) {
      s.cardError = error;
    }
  }

  async function load() {
    await loadTask();
    if (destroyed) return;
    render();
    await loadCard();
    if (destroyed) return;
    renderCardPart();
  }

  // ---- the call ---------------------------------------------------------------------

  const isOpen = () => OPEN_STATUSES.includes(s.task?.status);
  const doNotDisturb = () => Boolean(s.task?.customer?.do_not_disturb || s.card?.do_not_disturb);
  const callActive = () => s.placing || (s.call && s.call.state !== "ended");

  async function placeCall(phone) {
    if (callActive()) return;
    s.placing = true;
    s.callError = null;
    s.afterKey = null;
    renderCallPart();
    try {
      const { call } = await post("/api/calls", { followup_id: taskId, phone: phone.e164 });
      s.placing = false;
      applyCall(call);
    } catch (error) {
      // Refused, or Asterisk did not take the call: the error says why, and the server
      // has ended the call (if it had begun) without touching the task.
      s.placing = false;
      s.callError = error;
      s.afterKey = null;
      renderCallPart();
    }
  }

  function applyCall(call) {
    if (!call || call.followup_id !== taskId) return;
    // The store is idempotent: a live message it has already taken in changes nothing.
    show(ctx.calls.apply(call));
  }

  function show(entry) {
    const call = entry.call;
    if (s.call && call.id < s.call.id) return; // an older call of this task
    const wasEnded = s.call?.id === call.id && s.call.state === "ended";
    s.call = { ...call };
    s.timeline = entry.timeline;
    if (call.state === "answered" || call.disposition === "answered") s.answeredCallId = call.id;
    if (call.state === "ended" && !wasEnded) ended(call);
    renderCallPart();
    renderFormPart();
  }

  function ended(call) {
    if (s.callError) return; // never placed: the error is the whole story
    const disposition = call.disposition;
    if (disposition === "answered") {
      s.afterKey = s.outcome || !isOpen() ? null : "call.after.answered";
      // The card's call list gains this call (and its recording, once processed).
      loadCard().then(() => { if (!destroyed) renderCardPart(); });
      return;
    }
    s.afterKey = FAILED_DISPOSITIONS.includes(disposition) || disposition === "agent_no_answer"
      ? `call.after.${disposition}` : "call.after.other";
    // Not reached: the server has moved the task (call again, or unreachable after the
    // third try). Show where it is now; the lists are reloaded when "My work" opens.
    refreshAfterCall(disposition, 0);
  }

  async function refreshAfterCall(disposition, tries) {
    const before = s.task?.attempts;
    await loadTask();
    if (destroyed) return;
    const moved = s.task?.attempts !== before || s.task?.status !== "open";
    if (FAILED_DISPOSITIONS.includes(disposition) && !moved && tries < 3) {
      later(() => refreshAfterCall(disposition, tries + 1), 500);
    }
    renderHead();
    renderCallPart();
    renderFormPart();
    await loadCard();
    if (!destroyed) renderCardPart();
  }

  async function resync() {
    // After a reconnect: ask for the call's state in case the socket missed its end.
    if (!s.call || s.call.state === "ended") return;
    try {
      const { call } = await get(`/api/calls/${s.call.id}`);
      if (!destroyed) applyCall(call);
    } catch {
      // The live messages will tell.
    }
  }

  // ---- the questionnaire ------------------------------------------------------------

  async function submitOutcome(event) {
    event.preventDefault();
    const form = event.currentTarget;
    if (!form.reportValidity()) return;
    const answers = {};
    for (const q of s.template.questions) answers[q.id] = Number(s.answers[q.id]);
    const body = { call_id: s.answeredCallId, answers };
    if (s.spokeWith.trim()) body.spoke_with = s.spokeWith.trim();
    await sendOutcome(body);
  }

  async function wrongNumber() {
    await sendOutcome({ call_id: s.answeredCallId, result: "wrong_number" });
  }

  // Not convenient now: the time the customer named, in the center's zone (a
  // datetime-local value has none; the server reads it as the center's).
  async function bookCallback() {
    const body = { call_id: s.answeredCallId, result: "callback", callback_at: s.callbackAt };
    if (s.spokeWith.trim()) body.spoke_with = s.spokeWith.trim();
    await sendOutcome(body);
  }

  // The customer asks not to be called: on the answered call it is its outcome;
  // otherwise the customer's flag is set directly. Either way the server closes their
  // open follow-ups as SMS.
  async function doNotDisturbNow() {
    if (s.answeredCallId && isOpen()) {
      await sendOutcome({ call_id: s.answeredCallId, result: "do_not_disturb" });
      return;
    }
    s.dndError = null;
    try {
      await post(`/api/customers/${s.task.customer.id}/do-not-disturb`, {});
    } catch (error) {
      s.dndError = error;
    }
    await loadTask();
    if (destroyed) return;
    renderHead();
    renderCallPart();
    renderFormPart();
    await loadCard();
    if (!destroyed) renderCardPart();
  }

  async function sendOutcome(body) {
    s.submitting = true;
    s.outcomeError = null;
    renderFormPart();
    try {
      const reply = await post(`/api/followups/${taskId}/outcome`, body);
      s.outcome = { ...reply, kind: body.result ?? "answered" };
      s.task = reply.task ?? s.task;
      s.afterKey = null;
    } catch (error) {
      s.outcomeError = error;
    }
    s.submitting = false;
    if (destroyed) return;
    renderHead();
    renderCallPart();
    renderFormPart();
    loadCard().then(() => { if (!destroyed) renderCardPart(); });
  }

  // ---- rendering --------------------------------------------------------------------

  function renderHead() {
    const task = s.task;
    if (!task) return fill(headEl);
    fill(headEl,
      h("p", {}, h("a", { href: `#/work/${task.status === "call_again" ? "call_again" : "today"}`,
                          testid: "back" }, t("app.back_to_list"))),
      h("div", { class: "page-head" },
        h("h1", { id: "task-heading" }, t("task.heading", { id: task.id }), " · ",
          task.customer?.name ?? ""),
        customerBadges(task.customer)),
      h("dl", { class: "facts" },
        fact("col.kind", tEnum("kind", task.kind), "task-kind"),
        fact("task.status", tEnum("status", task.status), "task-status", { status: task.status }),
        fact("task.due", formatDate(task.due_date)),
        fact("task.attempts", String(task.attempts ?? 0), "task-attempts"),
        task.next_attempt_at && fact("task.next_attempt", formatDateTime(task.next_attempt_at), "task-next-attempt"),
        task.callback_at && fact("task.callback", formatDateTime(task.callback_at), "task-callback"),
        task.spoke_with && fact("task.spoke_with", task.spoke_with, "task-spoke-with"),
        task.vehicle && fact("task.vehicle",
          [task.vehicle.plate, task.vehicle.model].filter(Boolean).join(" · ")),
        task.score !== null && task.score !== undefined && fact("task.score", String(task.score)),
        task.result && fact("task.result", tEnum("result", task.result), "task-result")));
  }

  function fact(labelKey, value, testid, dataset) {
    return h("div", { class: "fact" }, h("dt", {}, t(labelKey)),
      h("dd", { testid, dataset }, value));
  }

  function callButton(phone) {
    const label = tEnum("phone_label", phone.label);
    const invalid = phone.invalid || s.task?.phones?.some((p) => p.e164 === phone.e164 && p.invalid);
    if (invalid) {
      // Found to be a wrong number: shown, never offered again.
      return h("span", { class: "badge badge-invalid", testid: "phone-invalid",
                         dataset: { phone: phone.e164 } }, t("task.phone_invalid"));
    }
    return h("button", {
      type: "button", class: "button-call", testid: "call-button",
      dataset: { phone: phone.e164 }, disabled: !canCall(),
      "aria-label": t("card.call_label", { phone: formatPhone(phone.e164), label }),
      "aria-describedby": doNotDisturb() || !isOpen() ? "phone-note" : null,
      onclick: () => placeCall(phone),
    }, t("card.call"));
  }

  const canCall = () => isOpen() && !doNotDisturb() && !callActive();

  function phoneNote() {
    if (doNotDisturb()) {
      return h("p", { id: "phone-note", class: "note note-dnd", testid: "dnd-note" }, t("card.dnd_note"));
    }
    if (s.task && !isOpen()) {
      return h("p", { id: "phone-note", class: "note", testid: "closed-note" }, t("card.closed_note"));
    }
    return h("div", { id: "phone-note", class: "note" },
      h("button", { type: "button", class: "button-quiet button-small", testid: "set-dnd",
                    disabled: callActive() || s.submitting, onclick: doNotDisturbNow },
        t("task.set_dnd")),
      s.dndError && errorBox(s.dndError, "dnd-error"));
  }

  function renderCardPart() {
    mileage.update(s.task, s.card);
    if (s.card) {
      fill(cardEl, renderCard(s.card, { callButton, phoneNote: phoneNote(), currentTaskId: taskId }));
    } else if (s.task) {
      // No card (yet, or it failed): the task's own numbers still get their buttons.
      const fallback = { name: s.task.customer?.name, value_level: s.task.customer?.value_level,
                         do_not_disturb: s.task.customer?.do_not_disturb, phones: s.task.phones ?? [] };
      fill(cardEl, s.cardError ? errorBox(s.cardError, "card-error") : null,
        renderCard(fallback, { callButton, phoneNote: phoneNote() }));
    } else {
      fill(cardEl);
    }
  }

  function updateCallButtons() {
    for (const button of cardEl.querySelectorAll("[data-testid=call-button]")) {
      button.disabled = !canCall();
    }
  }

  // Not reached: the task is in "call again" once its next attempt is due; until then
  // (the call-again gap) it is among the coming days, with the time it may be called.
  function callAgainLink() {
    const next = s.task.next_attempt_at ? new Date(s.task.next_attempt_at) : null;
    const waiting = next && next > new Date();
    return h("p", {},
      waiting && h("span", { testid: "call-again-at" },
        t("call.again_at", { time: formatDateTime(s.task.next_attempt_at) }), " "),
      h("a", { href: waiting ? "#/work/coming" : "#/work/call_again", testid: "goto-call-again" },
        t(waiting ? "work.tab.coming" : "work.tab.call_again")));
  }

  function renderCallPart() {
    const call = s.call;
    clearInterval(ticker);
    ticker = null;
    const stateText = s.placing ? t("call.placing")
      : call ? tEnum("call_state", call.state) : t("call.idle");
    const stateEl = h("p", {
      class: `call-state call-state-${s.placing ? "placing" : call?.state ?? "idle"}`,
      testid: "call-state", dataset: { state: s.placing ? "placing" : call?.state ?? "idle" },
      role: "status", "aria-live": "polite",
    }, stateText);
    let clock = null;
    if (call && call.state === "ended" && call.disposition === "answered" && call.duration !== null && call.duration !== undefined) {
      clock = h("p", { class: "call-clock", testid: "call-duration" },
        t("call.duration", { duration: formatDuration(call.duration) }));
    } else if (call && call.state === "answered") {
      const start = call.answered_at ? new Date(call.answered_at) : s.timeline.at(-1)?.at ?? new Date();
      clock = h("p", { class: "call-clock", testid: "call-elapsed" });
      const tick = () => {
        clock.textContent = t("call.elapsed", { duration: formatDuration((Date.now() - start) / 1000) });
      };
      tick();
      ticker = setInterval(tick, 1000);
    }
    const after = s.afterKey && h("div", { class: "alert alert-info", role: "status", testid: "call-after" },
      h("p", {}, t(s.afterKey)),
      s.task && s.afterKey !== "call.after.answered" && h("p", { class: "alert-detail" },
        t("call.task_now", { status: tEnum("status", s.task.status), attempts: s.task.attempts ?? 0 })),
      s.task?.status === "call_again" && callAgainLink());
    fill(callEl,
      h("h2", { id: "call-heading" }, t("call.heading")),
      call && h("p", { class: "call-phone" }, t("call.phone"), " ",
        h("span", { class: "mono", testid: "call-phone" }, formatPhone(call.phone))),
      stateEl,
      clock,
      s.timeline.length > 0 && h("ol", { class: "timeline", testid: "call-timeline",
                                         "aria-label": t("call.timeline") },
        s.timeline.map((step) => h("li", { dataset: { state: step.state } },
          h("time", { datetime: step.at.toISOString() }, formatTime(step.at)), " ",
          tEnum("call_state", step.state)))),
      s.callError && h("div", { class: "call-error" },
        h("p", { class: "alert-heading" }, t("call.refused")),
        s.callError.errorId === "too_early"
          ? h("div", { class: "alert alert-error", role: "alert", testid: "call-error",
                       dataset: { errorId: "too_early" } },
              h("p", { class: "alert-title" }, t("call.too_early", {
                time: formatDateTime(s.callError.details?.not_before) })))
          : errorBox(s.callError, "call-error")),
      after);
    updateCallButtons();
  }

  function renderFormPart() {
    const task = s.task;
    const template = s.template;
    const parts = [h("h2", { id: "form-heading" }, template ? localized(template.title) : t("form.heading"))];
    if (!task) return fill(formEl, parts);
    if (task.status === "completed") {
      parts.push(outcomeNotice() ?? noticeBox(t("form.completed"), { testid: "outcome-done" }));
      if (template) parts.push(readOnlyAnswers(template, task.answers ?? {}));
      return fill(formEl, parts);
    }
    if (!template) {
      parts.push(noticeBox(t("form.no_template"), { testid: "no-template" }));
      return fill(formEl, parts);
    }
    const closed = !isOpen();
    const canSubmit = !closed && Boolean(s.answeredCallId) && !s.submitting && !s.outcome;
    const form = h("form", { class: "questionnaire", testid: "questionnaire", onsubmit: submitOutcome },
      h("p", { class: "muted" }, t("form.pass_score", { score: template.pass_score })),
      h("ol", { class: "questions" }, template.questions.map((q) => {
        const id = `answer-${q.id}`;
        return h("li", { class: "question" },
          h("label", { for: id }, localized(q.text)),
          h("div", { class: "answer" },
            h("input", {
              id, name: q.id, type: "number", inputmode: "numeric", min: "0", max: String(q.max),
              step: "1", required: true, value: s.answers[q.id] ?? "", disabled: closed || Boolean(s.outcome),
              testid: id, "aria-describedby": `${id}-hint`,
              oninput: (e) => { s.answers[q.id] = e.target.value; },
            }),
            h("span", { id: `${id}-hint`, class: "muted" }, t("form.score_hint", { max: q.max }))));
      })),
      !s.answeredCallId && !closed && h("p", { class: "note", testid: "form-wait" }, t("form.wait_answer")),
      s.outcomeError && errorBox(s.outcomeError, "outcome-error"),
      outcomeNotice(),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "button-primary", testid: "submit-outcome",
                      disabled: !canSubmit }, s.submitting ? t("form.submitting") : t("form.submit")),
        h("button", { type: "button", class: "button-quiet", testid: "wrong-number",
                      disabled: !canSubmit, onclick: wrongNumber }, t("form.wrong_number"))));
    parts.push(form);
    if (!closed && !s.outcome) parts.push(scriptOutcomes(canSubmit));
    fill(formEl, parts);
  }

  // The call script's other endings: someone else answered (who), not convenient now
  // (the callback time).
  function scriptOutcomes(canSubmit) {
    return h("form", { class: "script-outcomes", testid: "script-outcomes",
                       onsubmit: (event) => {
                         event.preventDefault();
                         if (event.currentTarget.reportValidity()) bookCallback();
                       } },
      h("div", { class: "field" },
        h("label", { for: "spoke-with" }, t("task.spoke_with")),
        h("input", { id: "spoke-with", testid: "spoke-with", maxlength: "100", value: s.spokeWith,
                     placeholder: t("task.spoke_with_hint"), disabled: !canSubmit,
                     oninput: (e) => { s.spokeWith = e.target.value; } })),
      h("div", { class: "field" },
        h("label", { for: "callback-at" }, t("task.callback_at")),
        h("input", { id: "callback-at", testid: "callback-at", type: "datetime-local", step: "1",
                     required: true, value: s.callbackAt, disabled: !canSubmit,
                     oninput: (e) => { s.callbackAt = e.target.value; } })),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "button-quiet", testid: "book-callback",
                      disabled: !canSubmit }, t("task.book_callback"))));
  }

  function outcomeNotice() {
    const o = s.outcome;
    if (!o) return null;
    if (o.kind === "wrong_number") return noticeBox(t("form.wrong_number_done"), { testid: "outcome-result" });
    if (o.kind === "callback") {
      return noticeBox(t("task.callback_booked", { time: formatDateTime(o.task?.callback_at) }),
        { testid: "outcome-result" });
    }
    if (o.kind === "do_not_disturb") return noticeBox(t("task.dnd_done"), { testid: "outcome-result" });
    const result = o.task?.result;
    return h("div", { class: `alert ${result === "dissatisfied" ? "alert-warn" : "alert-ok"}`,
                      role: "status", testid: "outcome-result", dataset: { result: result ?? "" } },
      h("p", {}, t("form.result", { score: o.task?.score ?? t("app.unknown"), result: tEnum("result", result) })),
      o.complaint && h("p", { testid: "outcome-complaint" }, t("form.complaint", { id: o.complaint.id })));
  }

  function readOnlyAnswers(template, answers) {
    return h("ol", { class: "questions readonly" }, template.questions.map((q) =>
      h("li", { class: "question" },
        h("span", {}, localized(q.text)),
        h("strong", { class: "answer-value" }, answers[q.id] ?? t("app.unknown"), " / ", q.max))));
  }

  function render() {
    if (s.loadError) {
      fill(main, h("section", { class: "page" },
        h("p", {}, h("a", { href: "#/work/today" }, t("app.back_to_list"))),
        errorBox(s.loadError, "task-error")));
      main.setAttribute("aria-busy", "false");
      return;
    }
    if (!s.task) {
      fill(main, h("p", { class: "muted" }, t("app.loading")));
      return;
    }
    renderHead();
    renderCardPart();
    renderCallPart();
    renderFormPart();
    if (!main.contains(headEl)) {
      fill(main, h("section", { class: "page task-page", testid: "task-view",
                                "aria-labelledby": "task-heading" },
        headEl,
        h("div", { class: "task-grid" }, cardEl, h("div", { class: "task-side" }, callEl, formEl, mileage.el))));
    }
    main.setAttribute("aria-busy", "false");
  }

  const onStatus = (event) => { if (event.detail === "open") resync(); };
  ctx.live?.addEventListener("status", onStatus);

  render();
  load().then(() => {
    // This follow-up's call as this console last saw it (opened again mid-call).
    const seen = ctx.calls.latestFor(taskId);
    if (seen && !destroyed && !s.call) show(seen);
  });

  return {
    render,
    onMessage(message) {
      if (message.type === "call" && message.call) applyCall(message.call);
    },
    destroy() {
      destroyed = true;
      clearInterval(ticker);
      for (const id of timers) clearTimeout(id);
      ctx.live?.removeEventListener("status", onStatus);
    },
  };
}
