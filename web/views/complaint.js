// One complaint (#/complaint/<id>): the customer, what the complaint is about, its
// 2-1-2-3 deadlines, the timeline (every entry signed by its user, with its time), the
// linked calls with their recordings (each play audited by the server), the steps this
// user may take now, and a button that calls the customer (click-to-call: the agent's
// phone rings first; the customer's answer stamps the first contact on the timeline).
//
// Which steps are offered follows domain/complaints.py: the server still decides, and a
// refusal (403, 409 step_out_of_order, 400 naming the field) is shown as the console shows
// errors; the page then reloads, since a refusal usually means it was out of date.

import { get, post } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDateTime, formatTime, t, tEnum } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";
import { formatPhone } from "../phones.js";
import { callDuration, recordingCell } from "./card.js";
import { loadChoices, severityBadge } from "./complaints.js";
import { deadlineBadge } from "./popcard.js";

// The statuses each step may be taken in (domain/complaints.py _STEPS), in the order the
// page offers them; "take" is an agent assigning an unowned complaint to themselves.
const STEPS = [
  ["take", ["open", "contacted", "replied"]],
  ["assign", ["open", "contacted", "replied"]],
  ["first_contact", ["open"]],
  ["reply", ["contacted"]],
  ["management_reply", ["contacted", "replied"]],
  ["resolve", ["replied"]],
  ["reopen", ["resolved", "closed"]],
  ["note", ["open", "contacted", "replied", "resolved", "closed"]],
];
const NOTE_REQUIRED = ["reply", "management_reply", "reopen", "note"];

/** The name of the user with ``id``, from the choices' owners. */
export function userName(owners, id) {
  if (id === null || id === undefined) return null;
  return owners?.find((owner) => owner.id === id)?.display_name ?? `#${id}`;
}

/**
 * What a timeline entry says beyond its kind: [label, text] pairs. Texts the server
 * writes itself in English (a call's note, "opened from a dissatisfied follow-up") are
 * replaced by the console's own words.
 */
export function entryDetails(entry, complaint, owners) {
  const d = entry.details ?? {};
  const call = entry.call_id && complaint.calls?.find((c) => c.id === entry.call_id);
  const rows = [];
  if (entry.kind === "opened") {
    rows.push([null, t(`timeline.opened.${complaint.source === "followup" ? "followup" : "other"}`)]);
    if (complaint.source !== "followup" && entry.note) rows.push([null, entry.note]);
    return rows;
  }
  if ((entry.kind === "call" || entry.kind === "first_contact") && entry.call_id) {
    rows.push([null, t(entry.kind === "call" ? "timeline.call" : "timeline.answered_call", {
      id: entry.call_id,
      direction: tEnum("direction", call?.direction),
      disposition: tEnum("disposition", call?.disposition),
    })]);
    return rows;
  }
  if (entry.kind === "assign") {
    rows.push([t("timeline.owner"), userName(owners, d.owner_id) ?? t("app.unknown")]);
    if (d.department) rows.push([t("timeline.department"), tEnum("department", d.department)]);
    if (d.category) rows.push([t("timeline.category"), tEnum("complaint_category", d.category)]);
  }
  if (entry.kind === "resolve") {
    rows.push([t("timeline.resolution"), d.resolution ?? t("app.unknown")]);
    rows.push([t("timeline.compensation"), d.compensation || t("app.none")]);
  }
  if (entry.kind === "check_satisfied" || entry.kind === "check_dissatisfied") {
    const answers = Object.entries(d.answers ?? {}).map(([q, v]) => `${q}: ${v}`).join(" · ");
    rows.push([t("timeline.answers"), answers || t("app.unknown")]);
    if (d.score !== null && d.score !== undefined) rows.push([t("timeline.score"), d.score]);
  }
  if (entry.note) rows.push([null, entry.note]);
  return rows;
}

export function entryKind(entry) {
  return tEnum("timeline_kind", entry.kind);
}

export function renderTimeline(complaint, owners) {
  const entries = complaint.timeline ?? [];
  if (!entries.length) return h("p", { class: "empty" }, t("card.empty"));
  return h("ol", { class: "complaint-timeline", testid: "complaint-timeline" },
    entries.map((entry) => h("li", { testid: "timeline-entry", dataset: { kind: entry.kind } },
      h("div", { class: "entry-head" },
        h("strong", { testid: "timeline-kind" }, entryKind(entry)),
        h("span", { class: "entry-who", testid: "timeline-actor" },
          entry.actor_name ?? t("timeline.system")),
        h("time", { datetime: entry.at, class: "muted" }, formatDateTime(entry.at))),
      entryDetails(entry, complaint, owners).map(([label, text]) =>
        h("p", { class: "entry-detail" },
          label && h("span", { class: "muted" }, t("app.label", { label })), text)))));
}

export function renderDeadlines(clock) {
  const deadlines = clock?.deadlines ?? [];
  return h("table", { class: "table compact", testid: "complaint-deadlines" },
    h("thead", {}, h("tr", {}, ["step", "due", "done", "state"].map((col) =>
      h("th", { scope: "col" }, t(`deadlines.col.${col}`))))),
    h("tbody", {}, deadlines.map((d) => h("tr", { testid: "deadline-row", dataset: { step: d.step } },
      h("td", {}, tEnum("deadline_step", d.step)),
      h("td", {}, formatDateTime(d.due_at)),
      h("td", {}, d.done_at ? formatDateTime(d.done_at) : t("app.none")),
      h("td", {}, deadlineBadge(d.state, "deadline-state"))))));
}

export function mountComplaint(main, ctx, complaintId) {
  const me = ctx.user;
  const s = {
    complaint: null, loadError: null, owners: null, departments: null, categories: null,
    action: null, drafts: {}, busy: false, stepError: null, done: null,
    call: null, callTimeline: [], placing: false, callError: null,
  };
  let destroyed = false;
  const timers = new Set();
  const later = (fn, ms) => {
    const id = setTimeout(() => { timers.delete(id); if (!destroyed) fn(); }, ms);
    timers.add(id);
  };

  async function load() {
    try {
      s.complaint = (await get(`/api/complaints/${complaintId}`)).complaint;
      s.loadError = null;
    } catch (error) {
      s.loadError = error;
    }
    if (!destroyed) render();
  }

  // ---- who may do what ---------------------------------------------------------------

  const supervises = me.role === "supervisor" || me.role === "admin";
  const isOwner = () => s.complaint?.owner_id === me.id;

  function offered(action) {
    const c = s.complaint;
    const [, statuses] = STEPS.find(([name]) => name === action);
    if (!statuses.includes(c.status)) return false;
    if (action === "note") return true;
    if (action === "take") return !supervises && c.owner_id === null;
    if (action === "assign") return supervises;
    if (!supervises && !isOwner()) return false;
    if (action === "management_reply") return c.severity === "major" && !c.management_reply_at;
    return true;
  }

  const actions = () => (s.complaint ? STEPS.map(([name]) => name).filter(offered) : []);

  /** The step the form starts on: assigning an unowned complaint, else the next one. */
  function defaultAction(available) {
    if (s.complaint.owner_id === null && available.includes("assign")) return "assign";
    const next = available.find((a) => !["take", "assign", "note"].includes(a)
      && !(a === "resolve" && resolveWaits()));
    return next ?? (available.includes("note") ? "note" : null);
  }
  // A major complaint cannot be resolved before management has replied: said, not offered.
  const resolveWaits = () => s.complaint?.severity === "major" && !s.complaint.management_reply_at;

  // ---- steps -------------------------------------------------------------------------

  async function takeStep(body, doneKey) {
    s.busy = true;
    s.stepError = null;
    s.done = null;
    renderSide();
    try {
      s.complaint = (await post(`/api/complaints/${complaintId}/steps`, body)).complaint;
      s.done = doneKey;
      s.drafts = {};
      s.action = null;
    } catch (error) {
      s.stepError = error;
      // Refused: someone else may have moved the complaint on. Show where it is now.
      await load();
    }
    s.busy = false;
    if (!destroyed) render();
  }

  function submitStep(event) {
    event.preventDefault();
    const form = event.currentTarget;
    if (!form.reportValidity()) return;
    const action = s.action;
    const value = (name) => form.elements[name]?.value.trim() || null;
    const body = { action };
    if (action === "assign") {
      body.owner_id = Number(value("owner_id"));
      body.department = value("department");
      body.category = value("category");
    } else if (action === "resolve") {
      body.resolution = value("resolution");
      body.compensation = value("compensation");
    } else {
      body.note = value("note");
    }
    takeStep(body, `step.done.${action}`);
  }

  // ---- calling the customer ----------------------------------------------------------

  const callActive = () => s.placing || (s.call && s.call.state !== "ended");
  const mayCall = () => {
    const c = s.complaint;
    return c && c.status !== "closed" && c.customer_phone && me.extension
      && (supervises || c.owner_id === null || isOwner());
  };

  async function placeCall() {
    if (callActive() || !mayCall()) return;
    s.placing = true;
    s.callError = null;
    s.call = null;
    s.callTimeline = [];
    renderCall();
    try {
      const { call } = await post("/api/calls", { complaint_id: complaintId,
                                                  phone: s.complaint.customer_phone });
      s.placing = false;
      showCall(ctx.calls.apply(call));
    } catch (error) {
      s.placing = false;
      s.callError = error;
      renderCall();
    }
  }

  function showCall(entry) {
    const wasEnded = s.call?.id === entry.call.id && s.call.state === "ended";
    s.call = { ...entry.call };
    s.callTimeline = entry.timeline;
    renderCall();
    if (s.call.state === "ended" && !wasEnded) {
      // Its answer is the first contact, and the call goes on the timeline: both are
      // written before the "ended" message is sent. The recording follows a moment later.
      load();
      later(load, 2500);
    }
  }

  /** A call of this complaint's customer placed from this console (opened again mid-call). */
  function seenCall() {
    let latest = null;
    for (const entry of ctx.calls.calls.values()) {
      const call = entry.call;
      if (call.direction === "outbound" && !call.followup_id
          && call.customer_id === s.complaint?.customer_id && (!latest || call.id > latest.call.id)) {
        latest = entry;
      }
    }
    return latest;
  }

  // ---- rendering ---------------------------------------------------------------------

  const headEl = h("div", { class: "complaint-head" });
  const bodyEl = h("div", { class: "complaint-body" });
  const callEl = h("section", { class: "panel call-panel", testid: "complaint-call-panel",
                                "aria-labelledby": "complaint-call-heading" });
  const stepEl = h("section", { class: "panel step-panel", testid: "step-panel",
                                "aria-labelledby": "step-heading" });

  function fact(labelKey, value, testid, dataset) {
    return h("div", { class: "fact" }, h("dt", {}, t(labelKey)), h("dd", { testid, dataset }, value));
  }

  function renderHead() {
    const c = s.complaint;
    fill(headEl,
      h("p", {}, h("a", { href: "#/complaints/open", testid: "back-to-complaints" },
        t("complaint.back"))),
      h("div", { class: "page-head" },
        h("h1", { id: "complaint-heading" }, t("complaint.heading", { id: c.id }), " · ", c.customer_name),
        severityBadge(c.severity),
        deadlineBadge(c.clock?.state, "complaint-clock"),
        h("a", { href: `#/complaint/${c.id}/sheet`, class: "button-quiet button-link",
                 testid: "open-sheet" }, t("sheet.open"))),
      h("dl", { class: "facts" },
        fact("complaint.status", tEnum("complaint_status", c.status), "complaint-status",
          { status: c.status }),
        fact("complaint.source", tEnum("complaint_source", c.source), "complaint-source"),
        fact("complaint.category", tEnum("complaint_category", c.category), "complaint-category"),
        fact("complaint.department", tEnum("department", c.department), "complaint-department"),
        fact("complaint.owner", c.owner_name ?? t("complaint.unowned"), "complaint-owner"),
        fact("complaint.opened_at", formatDateTime(c.opened_at))));
  }

  function renderBody() {
    const c = s.complaint;
    fill(bodyEl,
      h("section", { class: "panel", testid: "complaint-customer", "aria-labelledby": "complaint-customer-h" },
        h("h2", { id: "complaint-customer-h" }, t("complaint.customer")),
        h("dl", { class: "profile" },
          h("dt", {}, t("card.name")), h("dd", { testid: "complaint-customer-name" }, c.customer_name),
          h("dt", {}, t("card.phones")),
          h("dd", { class: "mono", testid: "complaint-phone", dataset: { e164: c.customer_phone ?? "" } },
            c.customer_phone ? formatPhone(c.customer_phone) : t("app.none")),
          c.vehicle && [h("dt", {}, t("task.vehicle")), h("dd", { testid: "complaint-vehicle" },
            [c.vehicle.plate, c.vehicle.model].filter(Boolean).join(" · "))]),
        h("p", {}, h("a", { href: `#/customer/${c.customer_id}`, testid: "complaint-customer-card" },
          t("pop.open", { name: c.customer_name })))),
      h("section", { class: "panel", "aria-labelledby": "complaint-desc-h" },
        h("h2", { id: "complaint-desc-h" }, t("complaint.description")),
        h("p", { class: "complaint-description", testid: "complaint-description" }, c.description),
        c.resolution && h("p", { testid: "complaint-resolution" },
          h("strong", {}, t("app.label", { label: t("timeline.resolution") })), c.resolution),
        c.compensation && h("p", { testid: "complaint-compensation" },
          h("strong", {}, t("app.label", { label: t("timeline.compensation") })), c.compensation)),
      h("section", { class: "panel", "aria-labelledby": "complaint-deadlines-h" },
        h("h2", { id: "complaint-deadlines-h" }, t("complaint.deadlines")),
        renderDeadlines(c.clock)),
      h("section", { class: "panel", "aria-labelledby": "complaint-timeline-h" },
        h("h2", { id: "complaint-timeline-h" }, t("complaint.timeline")),
        renderTimeline(c, s.owners)),
      h("section", { class: "panel", testid: "complaint-calls", "aria-labelledby": "complaint-calls-h" },
        h("h2", { id: "complaint-calls-h" }, t("complaint.calls"),
          h("span", { class: "count" }, c.calls?.length ?? 0)),
        renderCalls(c.calls ?? [])));
  }

  function renderCalls(calls) {
    if (!calls.length) return h("p", { class: "empty" }, t("card.empty"));
    return h("div", { class: "table-scroll" }, h("table", { class: "table compact" },
      h("thead", {}, h("tr", {}, ["col.started_at", "col.direction", "col.agent", "col.disposition",
        "col.duration", "col.recording"].map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, calls.map((call) => h("tr", { testid: "complaint-call-row", dataset: { callId: call.id } },
        h("td", {}, formatDateTime(call.started_at)),
        h("td", {}, tEnum("direction", call.direction)),
        h("td", {}, userName(s.owners, call.agent_id) ?? t("app.unknown")),
        h("td", {}, tEnum("disposition", call.disposition)),
        h("td", {}, callDuration(call)),
        h("td", {}, player(call)))))));
  }

  // Each recording keeps its one player across renders: one playing goes on playing
  // when the page redraws (a step, a live message), since it is back in the page
  // before the browser would pause it.
  const players = new Map(); // recording id -> <audio>
  function player(call) {
    const kept = players.get(call.recording_id);
    if (kept) return kept;
    const cell = recordingCell(call);
    if (cell.tagName === "AUDIO") players.set(call.recording_id, cell);
    return cell;
  }

  function renderCall() {
    const c = s.complaint;
    if (!c) return fill(callEl);
    const call = s.call;
    const state = s.placing ? "placing" : call?.state ?? "idle";
    const why = !c.customer_phone ? "complaint.call_no_phone"
      : c.status === "closed" ? "complaint.call_closed"
        : !me.extension ? "complaint.call_no_extension"
          : !mayCall() ? "complaint.call_not_owner" : null;
    fill(callEl,
      h("h2", { id: "complaint-call-heading" }, t("complaint.call_heading")),
      h("p", {}, h("button", {
        type: "button", class: "button-call", testid: "complaint-call",
        disabled: Boolean(why) || callActive(), onclick: placeCall,
        "aria-describedby": why ? "complaint-call-why" : null,
      }, t("complaint.call", { phone: c.customer_phone ? formatPhone(c.customer_phone) : "" }))),
      why && h("p", { id: "complaint-call-why", class: "note", testid: "complaint-call-why" }, t(why)),
      (call || s.placing) && h("p", { class: `call-state call-state-${state}`, testid: "call-state",
                                      dataset: { state }, role: "status", "aria-live": "polite" },
        s.placing ? t("call.placing") : tEnum("call_state", call.state)),
      s.callTimeline.length > 0 && h("ol", { class: "timeline", testid: "call-timeline",
                                             "aria-label": t("call.timeline") },
        s.callTimeline.map((step) => h("li", { dataset: { state: step.state } },
          h("time", { datetime: step.at.toISOString() }, formatTime(step.at)), " ",
          tEnum("call_state", step.state)))),
      call?.state === "ended" && h("p", { class: "note", testid: "complaint-call-after" },
        t(call.disposition === "answered" ? "complaint.call_answered" : "complaint.call_not_answered")),
      s.callError && h("div", {}, h("p", { class: "alert-heading" }, t("call.refused")),
        errorBox(s.callError, "call-error")));
  }

  function stepFields(action) {
    const c = s.complaint;
    const draft = (name, fallback = "") => s.drafts[`${action}.${name}`] ?? fallback;
    const area = (name, required, hint) => h("div", { class: "field" },
      h("label", { for: `step-${name}` }, t(`step.field.${action === "resolve" ? name : `${action}_note`}`)),
      h("textarea", { id: `step-${name}`, name, rows: 3, maxlength: 2000, required,
                      testid: `step-${name}`, "aria-describedby": hint ? `step-${name}-hint` : null },
        draft(name)),
      hint && h("p", { id: `step-${name}-hint`, class: "muted" }, t(hint)));
    if (action === "assign") {
      const owners = s.owners ?? [];
      return [
        h("div", { class: "field" },
          h("label", { for: "step-owner" }, t("step.field.owner")),
          h("select", { id: "step-owner", name: "owner_id", required: true, testid: "step-owner" },
            h("option", { value: "" }, t("step.choose_owner")),
            owners.map((o) => h("option", { value: String(o.id),
                                            selected: Number(draft("owner_id", c.owner_id ?? "")) === o.id },
              o.display_name, " · ", t(`users.role.${o.role}`))))),
        h("div", { class: "field" },
          h("label", { for: "step-department" }, t("step.field.department")),
          h("select", { id: "step-department", name: "department", testid: "step-department" },
            h("option", { value: "" }, t("app.none")),
            (s.departments ?? []).map((dep) => h("option", { value: dep,
                                                             selected: draft("department", c.department ?? "") === dep },
              tEnum("department", dep))))),
        h("div", { class: "field" },
          h("label", { for: "step-category" }, t("step.field.category")),
          h("select", { id: "step-category", name: "category", testid: "step-category" },
            h("option", { value: "" }, t("app.none")),
            (s.categories ?? []).map((cat) => h("option", { value: cat,
                                                            selected: draft("category", c.category ?? "") === cat },
              tEnum("complaint_category", cat))))),
      ];
    }
    if (action === "resolve") {
      return [area("resolution", true), area("compensation", false, "step.compensation_hint")];
    }
    return [area("note", NOTE_REQUIRED.includes(action),
      action === "first_contact" ? "step.first_contact_hint" : null)];
  }

  function renderSide() {
    renderCall();
    const c = s.complaint;
    if (!c) return fill(stepEl);
    const available = actions();
    if (!available.includes(s.action)) s.action = defaultAction(available);
    const take = available.includes("take");
    const choices = available.filter((a) => a !== "take");
    fill(stepEl,
      h("h2", { id: "step-heading" }, t("step.heading")),
      s.done && noticeBox(t(s.done), { testid: "step-done", kind: "ok" }),
      s.stepError && errorBox(s.stepError, "step-error"),
      c.check_task_id && h("div", { class: "alert alert-info", testid: "check-call" },
        h("p", {}, t("complaint.check_call_due")),
        h("p", {}, h("a", { href: `#/task/${c.check_task_id}`, testid: "check-call-link" },
          t("complaint.check_call_open")))),
      take && h("p", {}, h("button", {
        type: "button", class: "button-primary", testid: "take-complaint", disabled: s.busy,
        onclick: () => takeStep({ action: "assign", owner_id: me.id }, "step.done.take"),
      }, t("step.take"))),
      c.status === "replied" && resolveWaits() && (supervises || isOwner())
        && h("p", { class: "note", testid: "resolve-waits" }, t("step.resolve_waits")),
      choices.length > 0 && h("form", {
        class: "step-form", testid: "step-form", onsubmit: submitStep,
        oninput: (e) => { if (e.target.name) s.drafts[`${s.action}.${e.target.name}`] = e.target.value; },
      },
      h("fieldset", { class: "segmented" },
        h("legend", {}, t("step.choose")),
        choices.map((action) => h("label", { class: "segment" },
          h("input", { type: "radio", name: "action", value: action, checked: action === s.action,
                       testid: `step-action-${action}`, disabled: action === "resolve" && resolveWaits(),
                       onchange: () => { s.action = action; renderSide(); } }),
          h("span", {}, t(`step.action.${action}`))))),
      s.action && stepFields(s.action),
      s.action && h("button", { type: "submit", class: "button-primary", testid: "step-submit",
                                disabled: s.busy }, s.busy ? t("step.saving") : t(`step.submit.${s.action}`))));
  }

  function render() {
    if (s.loadError && !s.complaint) {
      fill(main, h("section", { class: "page" },
        h("p", {}, h("a", { href: "#/complaints/open" }, t("complaint.back"))),
        errorBox(s.loadError, "complaint-error")));
      main.setAttribute("aria-busy", "false");
      return;
    }
    if (!s.complaint) {
      fill(main, h("p", { class: "muted" }, t("app.loading")));
      return;
    }
    renderHead();
    renderBody();
    renderSide();
    if (!main.contains(headEl)) {
      fill(main, h("section", { class: "page complaint-page", testid: "complaint-view",
                                "aria-labelledby": "complaint-heading" },
        headEl,
        h("div", { class: "task-grid" }, bodyEl, h("div", { class: "task-side" }, callEl, stepEl))));
    }
    main.setAttribute("aria-busy", "false");
  }

  const onStatus = async (event) => {
    // After a reconnect: the call's end (and so the first contact) may have been missed.
    if (event.detail !== "open") return;
    if (s.call && s.call.state !== "ended") {
      try {
        const { call } = await get(`/api/calls/${s.call.id}`);
        if (!destroyed) showCall(ctx.calls.apply(call));
      } catch {
        // The live messages will tell.
      }
    }
    load();
  };
  ctx.live?.addEventListener("status", onStatus);

  render();
  Promise.all([load(), loadChoices().then((choices) => {
    s.owners = choices?.owners ?? [];
    s.departments = choices?.departments ?? [];
    s.categories = choices?.categories ?? [];
  })]).then(() => {
    if (destroyed) return;
    const seen = seenCall();
    if (seen && !s.call) showCall(seen);
    else render();
  });

  return {
    render,
    onMessage(message) {
      if (message.type === "call" && message.call?.id && message.call.id === s.call?.id) {
        showCall(ctx.calls.apply(message.call));
      } else if (message.type === "complaint_overdue" && message.complaint?.id === complaintId) {
        load();
      }
    },
    destroy() {
      destroyed = true;
      for (const id of timers) clearTimeout(id);
      ctx.live?.removeEventListener("status", onStatus);
    },
  };
}
