// Reminders of due callbacks, computed by the console from the worklist (no server
// push): every 60 s, on every change of page (a callback just booked is then known), and
// at the moment each of the user's upcoming callbacks falls due (the "coming" section
// names it), the console reads GET /api/followups?list=callbacks
// and shows one notice per callback of its own (assigned to this user) it has not
// shown yet, linked to the task, until dismissed or the task is opened.

import { get } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";

const POLL_MS = 60_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export class CallbackReminders {
  constructor(el, userId) {
    this.el = el;
    this.userId = userId;
    this.shown = []; // {key, task}
    this.seen = new Set();
    this.timers = new Set();
    this.poll = setInterval(() => this.check(), POLL_MS);
    this.onHash = () => this.check();
    window.addEventListener("hashchange", this.onHash);
    this.check();
  }

  async check() {
    let due, coming;
    try {
      [due, coming] = await Promise.all([get("/api/followups?list=callbacks"),
                                         get("/api/followups?list=coming")]);
    } catch {
      return; // the next poll tries again
    }
    for (const task of due.items.filter((x) => x.assigned_to === this.userId)) {
      const key = `${task.id}:${task.callback_at}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.shown.unshift({ key, task });
    }
    for (const id of this.timers) clearTimeout(id);
    this.timers.clear();
    for (const task of coming.items.filter((x) => x.callback_at && x.assigned_to === this.userId)) {
      const wait = new Date(task.callback_at).getTime() - Date.now() + 500;
      if (wait < MAX_TIMER_MS) this.timers.add(setTimeout(() => this.check(), Math.max(0, wait)));
    }
    this.render();
  }

  opened(taskId) {
    this.shown = this.shown.filter((n) => n.task.id !== taskId);
    this.render();
  }

  dismiss(key) {
    this.shown = this.shown.filter((n) => n.key !== key);
    this.render();
  }

  render() {
    this.el.hidden = this.shown.length === 0;
    fill(this.el, this.shown.map(({ key, task }) =>
      h("div", { class: "alert alert-info callback-reminder", role: "alert", testid: "callback-reminder",
                 dataset: { taskId: task.id } },
        h("p", {},
          h("strong", {}, t("reminder.title")), " ",
          t("reminder.text", { name: task.customer?.name ?? t("app.unknown"),
                               time: formatDateTime(task.callback_at) }), " ",
          h("a", { href: `#/task/${task.id}`, testid: "reminder-open" }, t("reminder.open"))),
        h("button", { type: "button", class: "button-quiet button-small", testid: "reminder-dismiss",
                      onclick: () => this.dismiss(key) }, t("pop.dismiss")))));
  }

  stop() {
    clearInterval(this.poll);
    window.removeEventListener("hashchange", this.onHash);
    for (const id of this.timers) clearTimeout(id);
    this.shown = [];
    this.render();
  }
}
