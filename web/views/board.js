// The supervisor's live board (#/board, their home page): today's hotline figures, the
// callers waiting (their wait ticking), every agent (state, pause reason, the call they
// are on, calls and talk time today), the calls in progress, and today's abandoned
// callers to call back. Everything but the callback list comes over the WebSocket
// (web/board.js keeps it); the list is read again when a call ends, never polled.
// From an agent's row a supervisor listens, whispers or barges in on the agent's call
// (their own phone rings first), pauses or resumes the agent, or logs them out.

import { get, post } from "../api.js";
import { waitingSince } from "../board.js";
import { h, fill } from "../dom.js";
import { formatDuration, formatNumber, formatTime, t, tEnum } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";
import { formatPhone } from "../phones.js";
import { PAUSE_REASONS, pauseReasonText } from "./queue.js";

const MODES = ["listen", "whisper", "barge"];
const IN_QUEUE = new Set(["available", "ringing", "on_call", "wrap_up", "paused", "unavailable"]);
const CALLBACKS_AFTER_MS = 500; // a burst of ended calls: one read of the list
const TICK_MS = 1000;

const percent = (rate) => (rate === null || rate === undefined ? t("app.unknown")
  : `${formatNumber(Math.round(rate * 1000) / 10)}%`);
const seconds = (value) => (value === null || value === undefined ? t("app.unknown")
  : formatDuration(value));

/** A ticking duration: its text is renewed every second from ``since``. */
function ticking(since, testid) {
  return h("span", { class: "ticking", dataset: { since: since ?? "" }, testid }, "");
}

export function mountBoard(main, ctx) {
  const board = ctx.board;
  let callbacks = null;
  let callbacksError = null;
  let callbacksTimer = null;
  let notice = null; // {kind, text}
  let pausing = null; // agent id whose pause reason is being chosen
  let pauseReason = PAUSE_REASONS[0];
  let confirmingLogout = null;
  let destroyed = false;

  async function loadCallbacks() {
    try {
      callbacks = (await get("/api/callbacks")).callbacks;
      callbacksError = null;
    } catch (error) {
      callbacksError = error;
    }
    if (!destroyed) render();
  }

  function callbacksSoon() {
    clearTimeout(callbacksTimer);
    callbacksTimer = setTimeout(loadCallbacks, CALLBACKS_AFTER_MS);
  }

  async function act(path, body, done) {
    try {
      await post(path, body);
      notice = done ? { kind: "info", text: done } : null;
    } catch (error) {
      notice = { kind: "error", error };
    }
    pausing = null;
    confirmingLogout = null;
    render();
  }

  function supervise(call, mode) {
    act(`/api/calls/${call.id}/supervise`, { mode },
      t("board.supervise_ringing", { mode: t(`board.mode.${mode}`) }));
  }

  function figuresPanel() {
    const f = board.figures ?? {};
    const waiting = board.waiting();
    const longestNow = waiting.length ? waitingSince(waiting[0]) : null;
    const figure = (key, value, extra = {}) => h("div", { class: "figure", testid: `figure-${key}` },
      h("span", { class: "figure-value", ...extra }, value), h("span", { class: "figure-label" },
        t(`board.figure.${key}`, { seconds: f.service_level_seconds ?? "" })));
    return h("section", { class: "panel board-figures", "aria-labelledby": "board-figures" },
      h("h2", { id: "board-figures" }, t("board.today")),
      h("div", { class: "figures" },
        figure("waiting", formatNumber(waiting.length)),
        h("div", { class: "figure", testid: "figure-longest_now" },
          longestNow ? ticking(longestNow, "longest-wait-now") : h("span", { class: "figure-value" },
            t("app.unknown")),
          h("span", { class: "figure-label" }, t("board.figure.longest_now"))),
        figure("offered", formatNumber(f.offered ?? 0)),
        figure("answered", formatNumber(f.answered ?? 0)),
        figure("abandoned", formatNumber(f.abandoned ?? 0)),
        figure("short_abandoned", formatNumber(f.short_abandoned ?? 0)),
        figure("service_level", percent(f.service_level)),
        figure("average_answer", seconds(f.average_answer_seconds)),
        figure("longest_wait", seconds(f.longest_wait_seconds))));
  }

  function queuePanel() {
    const waiting = board.waiting();
    return h("section", { class: "panel", "aria-labelledby": "board-queue" },
      h("h2", { id: "board-queue" }, t("board.queue"), " ",
        h("span", { class: "count" }, formatNumber(waiting.length))),
      waiting.length === 0 ? h("p", { class: "muted", testid: "queue-empty" }, t("board.queue_empty"))
        : h("table", { class: "table compact", testid: "board-queue" },
          h("thead", {}, h("tr", {}, ["board.caller", "board.customer", "board.ivr_choice",
            "board.wait", "board.state"].map((key) => h("th", { scope: "col" }, t(key))))),
          h("tbody", {}, waiting.map((call) => h("tr", { testid: `waiting-${call.id}` },
            h("td", {}, formatPhone(call.phone)),
            h("td", { testid: "customer" }, call.customer_name ?? t("board.unknown_caller")),
            h("td", {}, call.ivr_choice ? tEnum("ivr_choice", call.ivr_choice) : t("app.none")),
            h("td", {}, ticking(waitingSince(call), "wait")),
            h("td", {}, t(`board.call_state.${call.state}`)))))));
  }

  function agentActions(agent, call) {
    const actions = [];
    const own = agent.id === ctx.user.id;
    if (call && call.state === "answered" && !own) {
      for (const mode of MODES) {
        actions.push(h("button", { type: "button", class: "button-small", testid: `${mode}-${agent.id}`,
          disabled: !ctx.user.extension, title: ctx.user.extension ? null : t("board.no_extension"),
          onclick: () => supervise(call, mode) }, t(`board.mode.${mode}`)));
      }
    }
    if (!IN_QUEUE.has(agent.state)) return actions;
    if (pausing === agent.id) {
      // Kept across the board's redraws while the supervisor chooses.
      const select = h("select", { "aria-label": t("queue.reason"), testid: `reason-${agent.id}`,
        onchange: (event) => { pauseReason = event.target.value; } },
      PAUSE_REASONS.filter((r) => r !== "other").map((r) => h("option", { value: r,
        selected: r === pauseReason }, t(`pause_reason.${r}`))));
      actions.push(select, h("button", { type: "button", class: "button-small", testid: `confirm-pause-${agent.id}`,
        onclick: () => act(`/api/agents/${agent.id}/pause`, { paused: true, reason: pauseReason }) },
      t("queue.confirm_pause")), h("button", { type: "button", class: "button-small button-quiet",
        onclick: () => { pausing = null; render(); } }, t("queue.cancel")));
    } else if (agent.state === "paused") {
      actions.push(h("button", { type: "button", class: "button-small", testid: `resume-${agent.id}`,
        onclick: () => act(`/api/agents/${agent.id}/pause`, { paused: false, reason: "" }) },
      t("board.resume")));
    } else {
      actions.push(h("button", { type: "button", class: "button-small", testid: `pause-${agent.id}`,
        onclick: () => { pausing = agent.id; render(); } }, t("board.pause")));
    }
    if (confirmingLogout === agent.id) {
      actions.push(h("button", { type: "button", class: "button-small button-danger", testid: `confirm-logout-${agent.id}`,
        onclick: () => act(`/api/agents/${agent.id}/logout`, {}) }, t("board.confirm_logout")),
      h("button", { type: "button", class: "button-small button-quiet",
        onclick: () => { confirmingLogout = null; render(); } }, t("queue.cancel")));
    } else {
      actions.push(h("button", { type: "button", class: "button-small button-quiet", testid: `logout-${agent.id}`,
        onclick: () => { confirmingLogout = agent.id; render(); } }, t("board.logout")));
    }
    return actions;
  }

  function callCell(call) {
    if (!call) return t("app.none");
    return h("span", { class: "board-call" },
      t(`direction.${call.direction}`), " · ",
      call.customer_name ?? t("board.unknown_caller"), " · ", formatPhone(call.phone), " · ",
      call.answered_at ? ticking(call.answered_at, "talking") : t(`board.call_state.${call.state}`));
  }

  function agentsPanel() {
    const agents = [...board.agents.values()];
    return h("section", { class: "panel", "aria-labelledby": "board-agents" },
      h("h2", { id: "board-agents" }, t("board.agents")),
      h("div", { class: "table-scroll" }, h("table", { class: "table compact", testid: "board-agents" },
        h("thead", {}, h("tr", {}, ["board.agent", "board.extension", "board.state", "board.call",
          "board.calls_today", "board.talk_today", "board.actions"].map((key) =>
          h("th", { scope: "col" }, t(key))))),
        h("tbody", {}, agents.map((agent) => {
          const call = board.callOf(agent.id);
          const state = tEnum("agent_state", agent.state);
          return h("tr", { testid: `agent-${agent.extension}`, dataset: { state: agent.state } },
            h("th", { scope: "row" }, agent.name),
            h("td", {}, agent.extension),
            h("td", { testid: "state" }, h("span", { class: `state state-${agent.state}` },
              agent.state === "paused" && agent.paused_reason
                ? t("queue.state_with_reason", { state, reason: pauseReasonText(agent.paused_reason) })
                : state)),
            h("td", { testid: "call" }, callCell(call)),
            h("td", {}, formatNumber(agent.calls_today)),
            h("td", {}, formatDuration(agent.talk_seconds_today)),
            h("td", { class: "actions" }, agentActions(agent, call)));
        })))));
  }

  function callsPanel() {
    const calls = board.inProgress();
    const agentName = (call) => call.agent_name ?? t("app.none");
    return h("section", { class: "panel", "aria-labelledby": "board-calls" },
      h("h2", { id: "board-calls" }, t("board.calls"), " ",
        h("span", { class: "count" }, formatNumber(calls.length))),
      calls.length === 0 ? h("p", { class: "muted" }, t("board.no_calls"))
        : h("table", { class: "table compact", testid: "board-calls" },
          h("thead", {}, h("tr", {}, ["board.direction", "board.agent", "board.customer",
            "board.number", "board.state", "board.duration"].map((key) => h("th", { scope: "col" }, t(key))))),
          h("tbody", {}, calls.map((call) => h("tr", { testid: `call-${call.id}` },
            h("td", {}, t(`direction.${call.direction}`)),
            h("td", {}, agentName(call)),
            h("td", {}, call.customer_name ?? t("board.unknown_caller")),
            h("td", {}, formatPhone(call.phone)),
            h("td", {}, t(`board.call_state.${call.state}`)),
            h("td", {}, ticking(call.answered_at ?? call.started_at, "duration")))))));
  }

  function callbacksPanel() {
    let body;
    if (callbacksError) body = errorBox(callbacksError, "callbacks-error");
    else if (callbacks === null) body = h("p", { class: "muted" }, t("app.loading"));
    else if (callbacks.length === 0) body = h("p", { class: "muted", testid: "callbacks-empty" }, t("board.callbacks_empty"));
    else {
      body = h("table", { class: "table compact", testid: "board-callbacks" },
        h("thead", {}, h("tr", {}, ["board.caller", "board.customer", "board.abandoned_count",
          "board.last_abandoned", "board.longest_wait", "board.ivr_choice", "board.actions"].map((key) =>
          h("th", { scope: "col" }, t(key))))),
        h("tbody", {}, callbacks.map((item) => h("tr", { testid: `callback-${item.call_id}` },
          h("td", {}, formatPhone(item.phone)),
          h("td", {}, item.customer_id
            ? h("a", { href: `#/customer/${item.customer_id}` }, item.customer_name)
            : t("board.unknown_caller")),
          h("td", {}, formatNumber(item.abandoned_count)),
          h("td", {}, formatTime(item.last_abandoned_at)),
          h("td", {}, seconds(item.longest_wait_seconds)),
          h("td", {}, item.ivr_choice ? tEnum("ivr_choice", item.ivr_choice) : t("app.none")),
          h("td", {}, h("button", { type: "button", class: "button-small", testid: `call-back-${item.call_id}`,
            disabled: !ctx.user.extension, title: ctx.user.extension ? null : t("board.no_extension"),
            onclick: () => act(`/api/callbacks/${item.call_id}/call`, {}, t("board.calling_back")) },
          t("board.call_back")))))));
    }
    return h("section", { class: "panel", "aria-labelledby": "board-callbacks-h" },
      h("h2", { id: "board-callbacks-h" }, t("board.callbacks")), body);
  }

  function tick() {
    const now = board.now();
    for (const el of main.querySelectorAll(".ticking")) {
      const since = Date.parse(el.dataset.since);
      el.textContent = Number.isNaN(since) ? t("app.unknown") : formatDuration((now - since) / 1000);
    }
  }

  function render() {
    if (destroyed) return;
    const messageBox = notice === null ? null : notice.kind === "error"
      ? errorBox(notice.error, "board-error") : noticeBox(notice.text, { testid: "board-notice" });
    fill(main, h("div", { class: "board", testid: "board" },
      h("h1", {}, t("board.heading")),
      messageBox,
      board.ready ? [figuresPanel(), queuePanel(), agentsPanel(), callsPanel()]
        : h("p", { class: "muted", testid: "board-connecting" }, t("board.connecting")),
      callbacksPanel()));
    tick();
    main.setAttribute("aria-busy", "false");
  }

  function onChange(event) {
    const message = event.detail;
    if (message.type === "board" || (message.type === "board_call" && message.call.state === "ended")) {
      callbacksSoon();
    }
    render();
  }

  board.addEventListener("change", onChange);
  const timer = setInterval(tick, TICK_MS);
  render();
  loadCallbacks();
  return {
    render,
    destroy() {
      destroyed = true;
      clearInterval(timer);
      clearTimeout(callbacksTimer);
      board.removeEventListener("change", onChange);
    },
  };
}
