// The agent's place in the hotline queue, in the header: the live state (pushed as
// agent_state over the WebSocket, fetched with GET /api/agent/state on (re)connection,
// which the socket's snapshot does not carry), and the buttons to join or leave the
// queue, pause with a reason and resume. A refused action shows the server's reason.

import { get, post } from "../api.js";
import { h, fill } from "../dom.js";
import { has, t, tEnum } from "../i18n.js";
import { errorBox } from "../messages.js";

// The reasons offered; the one sent is the key (shown back translated), or free text.
export const PAUSE_REASONS = ["break", "training", "lunch", "other"];
const MAX_REASON = 80; // POST /api/agent/pause: one line of at most 80 characters

/** A paused reason as the agent reads it: a known key translated, free text as is. */
export function pauseReasonText(reason) {
  if (!reason) return "";
  return has(`pause_reason.${reason}`) ? t(`pause_reason.${reason}`) : reason;
}

export class QueueControls {
  constructor(el, user, { onState } = {}) {
    this.el = el;
    this.user = user;
    this.onState = onState ?? (() => {});
    this.state = null; // the last agent_state message
    this.busy = null; // the action under way: login | logout | pause | unpause
    this.error = null;
    this.choosing = false; // the pause reason form is open
    this.reason = "break";
    this.otherText = "";
    this.pushes = 0; // agent_state messages seen: a slower GET must not overwrite them
    this.onDocumentClick = (event) => {
      if (this.choosing && !this.el.contains(event.target)) {
        this.choosing = false;
        this.render();
      }
    };
    document.addEventListener("click", this.onDocumentClick);
  }

  destroy() {
    document.removeEventListener("click", this.onDocumentClick);
    fill(this.el);
  }

  /** An agent_state message from the socket. */
  apply(message) {
    this.pushes += 1;
    this.state = message;
    this.render();
    this.onState(message);
  }

  /** Ask the server (after connecting: the socket does not replay the current state). */
  async refresh() {
    if (!this.user.extension) return this.render();
    const before = this.pushes;
    try {
      const state = await get("/api/agent/state");
      if (this.pushes === before) {
        this.state = state;
        this.onState(state);
      }
    } catch (error) {
      if (error.status !== 401) this.error = error;
    }
    this.render();
  }

  async act(action, body) {
    this.busy = action;
    this.error = null;
    this.render();
    try {
      await post(`/api/agent/${action}`, body);
      this.choosing = false;
    } catch (error) {
      this.error = error;
    }
    this.busy = null;
    this.render();
  }

  pause(event) {
    event.preventDefault();
    const form = event.currentTarget;
    if (!form.reportValidity()) return;
    const reason = this.reason === "other" ? this.otherText.trim() || "other" : this.reason;
    this.act("pause", { reason: reason.slice(0, MAX_REASON) });
  }

  render() {
    if (!this.user.extension) {
      fill(this.el);
      this.el.hidden = true;
      return;
    }
    this.el.hidden = false;
    const state = this.state?.state ?? null;
    const reason = state === "paused" ? pauseReasonText(this.state?.paused_reason) : "";
    const stateText = state
      ? (reason ? t("queue.state_with_reason", { state: tEnum("agent_state", state), reason })
        : tEnum("agent_state", state))
      : t("app.loading");
    const inQueue = state && state !== "logged_out";
    const button = (action, label, cls = "button-topbar") => h("button", {
      type: "button", class: cls, testid: `queue-${action}`, disabled: Boolean(this.busy) || !state,
      onclick: (event) => {
        event.stopPropagation();
        if (action === "pause") {
          this.choosing = !this.choosing;
          this.error = null;
          this.render();
          this.el.querySelector("[data-testid=pause-reason]")?.focus();
        } else {
          this.act(action);
        }
      },
      "aria-expanded": action === "pause" ? String(this.choosing) : null,
    }, this.busy === action ? t("queue.working") : label);

    fill(this.el,
      h("span", { class: "visually-hidden" }, t("queue.label")),
      h("span", { class: "pill agent-pill", testid: "agent-state", role: "status",
                  dataset: { state: state ?? "unknown" } }, stateText),
      !inQueue && state && button("login", t("queue.login"), "button-topbar button-topbar-go"),
      inQueue && state !== "paused" && button("pause", t("queue.pause")),
      state === "paused" && button("unpause", t("queue.unpause"), "button-topbar button-topbar-go"),
      inQueue && button("logout", t("queue.logout")),
      this.choosing && this.renderPauseForm(),
      this.error && h("div", { class: "queue-error" },
        errorBox(this.error, "queue-error"),
        h("button", { type: "button", class: "button-quiet", testid: "queue-error-dismiss",
                      onclick: () => { this.error = null; this.render(); } }, t("pop.dismiss"))));
  }

  renderPauseForm() {
    const other = this.reason === "other";
    return h("form", { class: "pause-form", testid: "pause-form", onsubmit: (e) => this.pause(e),
                       onclick: (e) => e.stopPropagation(),
                       onkeydown: (e) => {
                         if (e.key === "Escape") { this.choosing = false; this.render(); }
                       } },
      h("label", { for: "pause-reason" }, t("queue.reason")),
      h("select", { id: "pause-reason", testid: "pause-reason",
                    onchange: (e) => { this.reason = e.target.value; this.render();
                                       this.el.querySelector("#pause-reason")?.focus(); } },
        PAUSE_REASONS.map((key) => h("option", { value: key, selected: key === this.reason },
          t(`pause_reason.${key}`)))),
      other && h("label", { for: "pause-other" }, t("queue.reason_other")),
      other && h("input", { id: "pause-other", type: "text", testid: "pause-other",
                            maxlength: String(MAX_REASON), required: true, value: this.otherText,
                            placeholder: t("queue.reason_other_placeholder"),
                            oninput: (e) => { this.otherText = e.target.value; } }),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "button-primary", testid: "pause-confirm",
                      disabled: Boolean(this.busy) },
          this.busy === "pause" ? t("queue.working") : t("queue.confirm_pause")),
        h("button", { type: "button", class: "button-quiet", testid: "pause-cancel",
                      onclick: () => { this.choosing = false; this.render(); } },
          t("queue.cancel"))));
  }
}
