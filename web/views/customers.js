// Customer search (#/customers?q=): one box for a name, any 4 or more digits of a phone
// number, a plate or a VIN's end (GET /api/customers, docs/customers.md). Each result
// opens the card (#/customer/<id>), where the customer's numbers can be called. The query
// is kept in the address, so Back returns to the same results.

import { get } from "../api.js";
import { h, fill } from "../dom.js";
import { t, tEnum } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";
import { formatPhone } from "../phones.js";
import { customerBadges } from "./badges.js";

function vehicleText(v) {
  return [v.plate, v.model].filter(Boolean).join(" · ") || v.vin;
}

function resultRow(c) {
  const phones = Array.isArray(c.phones) ? c.phones : [];
  const vehicles = Array.isArray(c.vehicles) ? c.vehicles : [];
  return h("tr", { testid: "customer-result", dataset: { customerId: c.id } },
    h("td", {}, h("a", { href: `#/customer/${c.id}`, testid: "customer-result-name" }, c.name),
      " ", customerBadges(c)),
    h("td", {}, h("ul", { class: "plain-list" }, phones.map((p) => h("li", {
      class: p.invalid ? "is-invalid" : null, dataset: { e164: p.e164 } },
    h("span", { class: "mono" }, formatPhone(p.e164)), " ",
    h("span", { class: "muted" }, tEnum("phone_label", p.label)),
    p.invalid && [" ", h("span", { class: "badge badge-invalid" }, t("card.phone_invalid"))])))),
    h("td", {}, h("ul", { class: "plain-list" }, vehicles.map((v) => h("li", {}, vehicleText(v))))),
    h("td", {}, tEnum("value_level", c.value_level)),
    h("td", { testid: "customer-result-tasks" }, String(c.open_tasks ?? 0)));
}

export function mountCustomers(main, ctx, query) {
  const params = new URLSearchParams(query);
  const s = { q: params.get("q") ?? "", result: null, error: null, loading: false };
  let destroyed = false;

  const resultsEl = h("div", { class: "search-results", testid: "customer-results",
                               "aria-live": "polite" });

  async function search() {
    if (!s.q.trim()) return;
    s.loading = true;
    renderResults();
    try {
      s.result = await get(`/api/customers?q=${encodeURIComponent(s.q.trim())}`);
      s.error = null;
    } catch (error) {
      s.error = error;
      s.result = null;
    }
    s.loading = false;
    if (!destroyed) renderResults();
  }

  function renderResults() {
    const r = s.result;
    main.setAttribute("aria-busy", String(s.loading));
    if (s.loading) return fill(resultsEl, h("p", { class: "muted" }, t("app.loading")));
    if (s.error) return fill(resultsEl, errorBox(s.error, "customer-search-error"));
    if (!r) return fill(resultsEl, h("p", { class: "muted" }, t("customers.hint")));
    if (r.customers.length === 0) {
      return fill(resultsEl, noticeBox(t("customers.none"), { testid: "customers-none" }));
    }
    fill(resultsEl,
      h("div", { class: "table-scroll" }, h("table", { class: "table" },
        h("thead", {}, h("tr", {}, ["customers.col.name", "customers.col.phones",
          "customers.col.vehicles", "customers.col.value_level", "customers.col.open_tasks"]
          .map((key) => h("th", { scope: "col" }, t(key))))),
        h("tbody", {}, r.customers.map(resultRow)))),
      r.more && h("p", { class: "note", testid: "customers-more" }, t("customers.more")));
  }

  function submit(event) {
    event.preventDefault();
    const q = event.currentTarget.elements.q.value.trim();
    if (!q) return;
    const wanted = `#/customers?${new URLSearchParams({ q })}`;
    // The address keeps the query; the same one again searches again.
    if (location.hash === wanted) {
      s.q = q;
      search();
    } else {
      location.hash = wanted;
    }
  }

  function render() {
    fill(main, h("section", { class: "page", testid: "customers-view",
                              "aria-labelledby": "customers-heading" },
      h("h1", { id: "customers-heading" }, t("customers.heading")),
      h("form", { class: "search-form", role: "search", testid: "customer-search",
                  onsubmit: submit },
        h("label", { for: "customer-q" }, t("customers.search_label")),
        h("input", { id: "customer-q", name: "q", type: "search", value: s.q, required: true,
                     maxlength: "64", autocomplete: "off", testid: "customer-q",
                     placeholder: t("customers.placeholder") }),
        h("button", { type: "submit", class: "button-primary", testid: "customer-search-go" },
          t("customers.search"))),
      resultsEl));
    renderResults();
  }

  render();
  search();
  main.querySelector("#customer-q")?.focus();

  return { render, destroy() { destroyed = true; } };
}
