// The scheduler's console (supervisors; docs/scheduler.md): #/scheduler?from=&to= is its
// run log (each rule's run of each day: started, finished, how many it made, the error
// of a failed run and how many times it failed; GET /api/scheduler/runs, default the
// last 14 days), #/scheduler/lost-contact the customers unreachable on every number,
// with the address their card is mailed to (GET /api/lost-contact). "Card mailed"
// takes a customer off that list (POST /api/lost-contact/{id}/card-mailed); they are
// still not called.

import { get, post } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDate, formatDateTime, formatNumber, t, tEnum } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";
import { formatPhone } from "../phones.js";

export const TABS = ["runs", "lost-contact"];

function tabs(current) {
  return h("nav", { class: "tabs", "aria-label": t("scheduler.heading") },
    TABS.map((tab) => h("a", {
      href: tab === "runs" ? "#/scheduler" : `#/scheduler/${tab}`,
      class: tab === current ? "tab tab-active" : "tab",
      "aria-current": tab === current ? "page" : null, testid: `scheduler-tab-${tab}`,
    }, t(`scheduler.tab.${tab}`))));
}

function runState(run) {
  if (run.finished_at) return t("scheduler.state.done");
  return run.error ? t("scheduler.state.failed") : t("scheduler.state.running");
}

function runsTable(runs) {
  if (runs.length === 0) return h("p", { class: "empty", testid: "scheduler-runs-empty" }, t("scheduler.runs.none"));
  const cols = ["day", "rule", "state", "started", "finished", "made", "failures", "error"];
  return h("div", { class: "table-scroll" }, h("table", { class: "table", testid: "scheduler-runs" },
    h("thead", {}, h("tr", {}, cols.map((col) => h("th", {
      scope: "col", class: ["made", "failures"].includes(col) ? "num" : null,
    }, t(`scheduler.col.${col}`))))),
    h("tbody", {}, runs.map((run) => h("tr", {
      testid: "scheduler-run",
      dataset: { rule: run.rule, day: run.day },
    },
      h("td", {}, formatDate(run.day)),
      h("th", { scope: "row" }, tEnum("scheduler.rule", run.rule)),
      h("td", { testid: "scheduler-run-state" }, runState(run)),
      h("td", {}, formatDateTime(run.started_at)),
      h("td", {}, run.finished_at ? formatDateTime(run.finished_at) : t("app.none")),
      h("td", { class: "num", testid: "scheduler-run-made" },
        run.made === null ? t("app.none") : formatNumber(run.made)),
      h("td", { class: "num" }, formatNumber(run.failures)),
      h("td", { class: "mono", testid: "scheduler-run-error" }, run.error ?? ""))))));
}

function mountRuns(main, ctx, query) {
  const params = new URLSearchParams(query);
  let reply = null;
  let loadError = null;
  let destroyed = false;

  async function load() {
    const asked = new URLSearchParams();
    for (const name of ["from", "to"]) if (params.get(name)) asked.set(name, params.get(name));
    try {
      reply = await get(`/api/scheduler/runs${asked.size ? `?${asked}` : ""}`);
      loadError = null;
    } catch (error) {
      loadError = error;
    }
    if (!destroyed) render();
  }

  function rangeForm() {
    const submit = (event) => {
      event.preventDefault();
      const f = event.currentTarget.elements;
      const next = new URLSearchParams();
      if (f.from.value) next.set("from", f.from.value);
      if (f.to.value) next.set("to", f.to.value);
      location.hash = `#/scheduler${next.size ? `?${next}` : ""}`;
    };
    const field = (name) => h("div", { class: "field" },
      h("label", { for: `scheduler-${name}` }, t(`scheduler.${name}`)),
      h("input", { id: `scheduler-${name}`, name, type: "date", testid: `scheduler-${name}`,
                   value: params.get(name) ?? reply?.[name] ?? "" }));
    return h("form", { class: "filters", testid: "scheduler-range", onsubmit: submit },
      field("from"), field("to"),
      h("button", { type: "submit", class: "button-primary", testid: "scheduler-show" },
        t("scheduler.show")));
  }

  function render() {
    fill(main, h("section", { class: "page", "aria-labelledby": "scheduler-heading" },
      h("div", { class: "page-head" },
        h("h1", { id: "scheduler-heading" }, t("scheduler.heading")),
        h("button", { type: "button", class: "button-quiet", onclick: () => load() },
          t("work.refresh"))),
      tabs("runs"),
      h("p", { class: "muted" }, t("scheduler.runs.intro")),
      rangeForm(),
      loadError ? errorBox(loadError, "scheduler-error")
        : reply === null ? h("p", { class: "muted" }, t("app.loading"))
          : [h("h2", {}, t("scheduler.runs.range", { from: formatDate(reply.from), to: formatDate(reply.to) })),
            runsTable(reply.runs)]));
    main.setAttribute("aria-busy", String(reply === null && !loadError));
  }

  render();
  load();
  return { render, destroy() { destroyed = true; } };
}

function mountLostContact(main, ctx) {
  let customers = null;
  let loadError = null;
  let message = null; // { kind, text } or { error }
  let destroyed = false;

  async function load() {
    try {
      ({ customers } = await get("/api/lost-contact"));
      loadError = null;
    } catch (error) {
      loadError = error;
    }
    if (!destroyed) render();
  }

  async function mailed(customer) {
    try {
      await post(`/api/lost-contact/${customer.id}/card-mailed`);
      message = { text: t("scheduler.lost.mailed_done", { name: customer.name }) };
    } catch (error) {
      message = { error };
    }
    await load();
  }

  function table() {
    if (loadError) return errorBox(loadError, "lost-contact-error");
    if (customers === null) return h("p", { class: "muted" }, t("app.loading"));
    if (customers.length === 0) return h("p", { class: "empty", testid: "lost-contact-empty" }, t("scheduler.lost.none"));
    const cols = ["customer", "address", "phones", "since", "actions"];
    return h("div", { class: "table-scroll" }, h("table", { class: "table", testid: "lost-contact" },
      h("thead", {}, h("tr", {}, cols.map((col) => h("th", { scope: "col" }, t(`scheduler.lost.col.${col}`))))),
      h("tbody", {}, customers.map((customer) => h("tr", {
        testid: "lost-contact-row", dataset: { customerId: String(customer.id) },
      },
        h("th", { scope: "row" }, h("a", { href: `#/customer/${customer.id}` }, customer.name)),
        h("td", { testid: "lost-contact-address" }, customer.address || t("scheduler.lost.no_address")),
        h("td", { testid: "lost-contact-phones" }, customer.phones.map(formatPhone).join(" · ")),
        h("td", {}, formatDateTime(customer.lost_contact_at)),
        h("td", {}, h("button", {
          type: "button", class: "button-quiet", testid: "lost-contact-mailed",
          onclick: () => mailed(customer),
        }, t("scheduler.lost.mailed"))))))));
  }

  function render() {
    fill(main, h("section", { class: "page", "aria-labelledby": "lost-contact-heading" },
      h("div", { class: "page-head" },
        h("h1", { id: "lost-contact-heading" }, t("scheduler.lost.heading")),
        h("button", { type: "button", class: "button-quiet", onclick: () => load() },
          t("work.refresh"))),
      tabs("lost-contact"),
      h("p", { class: "muted" }, t("scheduler.lost.intro")),
      message?.error && errorBox(message.error, "lost-contact-action-error"),
      message?.text && noticeBox(message.text, { testid: "lost-contact-notice", kind: "ok" }),
      table()));
    main.setAttribute("aria-busy", String(customers === null && !loadError));
  }

  render();
  load();
  return { render, destroy() { destroyed = true; } };
}

/** The page of `tab` (one of TABS); supervisors only, as the server's answers are. */
export function mountScheduler(main, ctx, tab, query = "") {
  if (!["supervisor", "admin"].includes(ctx.user.role)) {
    fill(main, h("p", { class: "notice" }, t("scheduler.supervisors_only")));
    main.setAttribute("aria-busy", "false");
    return { destroy() {} };
  }
  return tab === "lost-contact" ? mountLostContact(main, ctx) : mountRuns(main, ctx, query);
}
