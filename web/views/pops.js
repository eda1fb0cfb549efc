// Screen-pops: an inbound call ringing this agent shows who is calling before they answer.
// A pop goes away when it is withdrawn (answered elsewhere, caller hung up), when its call
// ends, or when the agent dismisses it.

import { h, fill } from "../dom.js";
import { t, tEnum } from "../i18n.js";
import { customerBadges } from "./badges.js";

export class PopTray {
  constructor(el) {
    this.el = el;
    this.pops = new Map(); // call_id -> pop message
  }

  onMessage(message) {
    if (message.type === "pop") {
      this.pops.set(message.call_id, message);
    } else if (message.type === "pop_withdrawn") {
      this.pops.delete(message.call_id);
    } else if (message.type === "call" && message.call?.direction === "inbound"
               && message.call.state === "ended") {
      this.pops.delete(message.call.id);
    } else {
      return;
    }
    this.render();
  }

  clear() {
    this.pops.clear();
    this.render();
  }

  render() {
    fill(this.el, [...this.pops.values()].map((pop) => this.renderPop(pop)));
  }

  renderPop(pop) {
    const caller = pop.caller ?? {};
    const candidates = Array.isArray(pop.candidates) ? pop.candidates : [];
    return h("aside", { class: "pop", testid: "pop", dataset: { callId: pop.call_id },
                        "aria-label": t("pop.heading") },
      h("div", { class: "pop-head" },
        h("strong", {}, t("pop.heading")),
        h("button", { type: "button", class: "button-quiet", testid: "pop-dismiss",
                      onclick: () => { this.pops.delete(pop.call_id); this.render(); } },
          t("pop.dismiss"))),
      h("p", {}, caller.withheld ? t("pop.withheld")
        : t("pop.caller", { phone: caller.e164 ?? caller.raw ?? "" })),
      pop.ivr_choice && h("p", {}, t("pop.ivr", { choice: pop.ivr_choice })),
      pop.match && h("p", { class: "muted" }, tEnum("pop.match", pop.match)),
      candidates.length > 0 && h("ul", { class: "pop-candidates" }, candidates.map((c) =>
        h("li", {},
          h("a", { href: `#/customer/${c.id}`, testid: "pop-customer" },
            t("pop.open", { name: c.name ?? c.id })),
          " ", customerBadges(c),
          Array.isArray(c.vehicles) && c.vehicles.length > 0 && h("span", { class: "muted" },
            " ", c.vehicles.map((v) => v.plate).filter(Boolean).join(", "))))));
  }
}
