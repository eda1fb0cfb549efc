// A customer's card on its own (from a screen-pop): no follow-up, so no Call buttons.

import { get } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { errorBox } from "../messages.js";
import { renderCard } from "./card.js";

export function mountCustomer(main, ctx, customerId) {
  let card = null;
  let error = null;
  let destroyed = false;

  function render() {
    fill(main, h("section", { class: "page", testid: "customer-view" },
      h("p", {}, h("a", { href: "#/work/today" }, t("app.back_to_list"))),
      h("h1", { class: "visually-hidden" }, t("customer.heading", { id: customerId })),
      error ? errorBox(error) : card ? renderCard(card) : h("p", { class: "muted" }, t("app.loading"))));
    main.setAttribute("aria-busy", String(!card && !error));
  }

  render();
  get(`/api/customers/${customerId}`).then(
    (body) => { card = body.customer; },
    (err) => { error = err; },
  ).then(() => { if (!destroyed) render(); });

  return { render, destroy() { destroyed = true; } };
}
