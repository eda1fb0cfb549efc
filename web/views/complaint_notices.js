// Live notices of complaint steps gone overdue: the server sends a "complaint_overdue"
// message ({complaint: {id, customer_name, severity, step, due_at}}) to the owner and the
// supervisors once per step (services/complaints.py escalate_overdue). Each shows above
// the page, linked to the complaint, until it is dismissed or the complaint is opened.
// A message replayed after a reconnect (same complaint and step) is shown once; each
// notice is an alert, so a screen reader reads it as it appears.

import { h, fill } from "../dom.js";
import { formatDateTime, t, tEnum } from "../i18n.js";

const MAX_SHOWN = 5;

export class OverdueNotices {
  constructor(el) {
    this.el = el;
    this.notices = []; // newest first: {key, complaint}
    this.seen = new Set();
  }

  onMessage(message) {
    if (message.type !== "complaint_overdue" || !message.complaint?.id) return;
    const complaint = message.complaint;
    const key = `${complaint.id}:${complaint.step}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.notices.unshift({ key, complaint });
    this.notices.length = Math.min(this.notices.length, MAX_SHOWN);
    this.render();
  }

  /** The complaint is open on the page now: its notices have done their work. */
  opened(complaintId) {
    const before = this.notices.length;
    this.notices = this.notices.filter((n) => n.complaint.id !== complaintId);
    if (this.notices.length !== before) this.render();
  }

  dismiss(key) {
    this.notices = this.notices.filter((n) => n.key !== key);
    this.render();
  }

  text(complaint) {
    return t("overdue.text", {
      id: complaint.id, name: complaint.customer_name || t("app.unknown"),
      step: tEnum("deadline_step", complaint.step), due: formatDateTime(complaint.due_at),
    });
  }

  render() {
    this.el.hidden = this.notices.length === 0;
    fill(this.el, this.notices.map(({ key, complaint }) =>
      h("div", { class: "alert alert-error overdue-notice", role: "alert", testid: "overdue-notice",
                 dataset: { complaintId: complaint.id, step: complaint.step } },
        h("p", {},
          h("strong", {}, t("overdue.title")), " ",
          complaint.severity === "major" && h("span", { class: "badge badge-severity-major" },
            tEnum("severity", "major")),
          this.text(complaint), " ",
          h("a", { href: `#/complaint/${complaint.id}`, testid: "overdue-open" }, t("overdue.open"))),
        h("button", { type: "button", class: "button-quiet button-small", testid: "overdue-dismiss",
                      "aria-label": t("overdue.dismiss_label", { id: complaint.id }),
                      onclick: () => this.dismiss(key) }, t("pop.dismiss")))));
  }

  clear() {
    this.notices = [];
    this.seen.clear();
    this.render();
  }
}
