// The complaint lists (#/complaints/<view>?filters): open, mine, overdue and all as tabs
// with their counts, filters (source, severity, department, status, opened from/to) and
// a search (a customer's name from its beginning, a phone's last digits, a plate's end).
// The filters live in the address, so a reload or a link keeps them; every row shows the
// complaint's 2-1-2-3 state and the next step due.

import { get } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDateTime, t, tEnum } from "../i18n.js";
import { errorBox } from "../messages.js";
import { deadlineBadge } from "./popcard.js";

export const VIEWS = ["open", "mine", "overdue", "all"];
const FILTERS = ["source", "severity", "department", "status", "q", "from", "to"];
const OPEN_STATES = ["overdue", "due_soon", "pending"];

/** What GET /api/complaints/choices offers (owners, departments, sources...). */
export async function loadChoices() {
  try {
    return await get("/api/complaints/choices");
  } catch {
    return null; // the forms then offer what the page itself shows
  }
}

/** A day (YYYY-MM-DD) from a date input as the start of that day in this browser's zone. */
export function startOfDay(day, plusDays = 0) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
}

function apiQuery(view, filters) {
  const params = new URLSearchParams({ view });
  for (const name of FILTERS) {
    const value = filters[name];
    if (!value) continue;
    // "to" is a day included in the list: the server's bound is the next day's start.
    if (name === "from") params.set("from", startOfDay(value));
    else if (name === "to") params.set("to", startOfDay(value, 1));
    else params.set(name, value);
  }
  return params.toString();
}

function hashOf(view, filters) {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]);
  const query = params.toString();
  return `#/complaints/${view}${query ? `?${query}` : ""}`;
}

/** The next step someone has to take, with its deadline (the most urgent open one). */
export function nextDeadline(clock) {
  const open = (clock?.deadlines ?? []).filter((d) => OPEN_STATES.includes(d.state));
  open.sort((a, b) => OPEN_STATES.indexOf(a.state) - OPEN_STATES.indexOf(b.state)
    || new Date(a.due_at) - new Date(b.due_at));
  return open[0] ?? null;
}

export function severityBadge(severity) {
  return h("span", { class: `badge badge-severity-${severity}`, testid: "complaint-severity",
                     dataset: { severity } }, tEnum("severity", severity));
}

export function mountComplaints(main, ctx, view, query = "") {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, ""]));
  for (const [name, value] of new URLSearchParams(query)) {
    if (FILTERS.includes(name)) filters[name] = value;
  }
  const draft = { ...filters }; // what the form holds, kept across renders
  let reply = null;
  let error = null;
  let choices = null;
  let destroyed = false;
  let reloadTimer = null;

  async function load() {
    try {
      reply = await get(`/api/complaints?${apiQuery(view, filters)}`);
      error = null;
    } catch (err) {
      error = err;
    }
    if (!destroyed) render();
  }

  function tab(name) {
    const count = reply?.counts?.[name];
    return h("a", { href: hashOf(name, filters), role: "tab", id: `ctab-${name}`,
                    "aria-selected": String(name === view), "aria-controls": "complaints-panel",
                    class: name === view ? "tab tab-active" : "tab", testid: `ctab-${name}` },
      t(`complaints.tab.${name}`),
      count !== undefined && h("span", { class: "count", testid: `ccount-${name}` }, count));
  }

  function options(name, values, group) {
    return [h("option", { value: "" }, t("complaints.filter.any")),
      values.map((value) => h("option", { value, selected: draft[name] === value },
        tEnum(group, value)))];
  }

  function filterForm() {
    const submit = (event) => {
      event.preventDefault();
      const form = event.currentTarget.elements;
      const next = hashOf(view, Object.fromEntries(FILTERS.map((name) =>
        [name, form[name].value.trim()])));
      if (location.hash === next) load(); // the same search again: no hashchange
      else location.hash = next;
    };
    const field = (name, input) => h("div", { class: "field" },
      h("label", { for: `cfilter-${name}` }, t(`complaints.filter.${name}`)), input);
    const select = (name, values, group) => field(name, h("select", {
      id: `cfilter-${name}`, name, testid: `cfilter-${name}` }, options(name, values, group)));
    return h("form", { class: "filters", testid: "complaint-filters", role: "search",
                       onsubmit: submit,
                       oninput: (e) => { draft[e.target.name] = e.target.value; } },
      field("q", h("input", { id: "cfilter-q", name: "q", type: "search", maxlength: 100,
                              value: draft.q, testid: "complaint-search",
                              placeholder: t("complaints.search_hint") })),
      select("source", choices?.sources ?? [], "complaint_source"),
      select("severity", choices?.severities ?? ["normal", "major"], "severity"),
      select("department", choices?.departments ?? [], "department"),
      select("status", choices?.statuses ?? [], "complaint_status"),
      field("from", h("input", { id: "cfilter-from", name: "from", type: "date",
                                 value: draft.from, testid: "cfilter-from" })),
      field("to", h("input", { id: "cfilter-to", name: "to", type: "date", value: draft.to,
                               testid: "cfilter-to" })),
      h("div", { class: "filter-actions" },
        h("button", { type: "submit", class: "button-primary", testid: "complaint-search-submit" },
          t("complaints.search")),
        h("a", { href: `#/complaints/${view}`, class: "button-link", testid: "complaint-filters-clear" },
          t("complaints.clear"))));
  }

  function row(item) {
    const next = nextDeadline(item.clock);
    const name = item.customer_name || t("app.unknown");
    return h("tr", { testid: "complaint-row", dataset: { complaintId: item.id, state: item.clock?.state } },
      h("td", {}, deadlineBadge(item.clock?.state, "complaint-clock")),
      h("th", { scope: "row" },
        h("a", { href: `#/complaint/${item.id}`, testid: "complaint-link",
                 "aria-label": t("complaints.open_complaint", { id: item.id, name }) }, name),
        h("span", { class: "muted" }, ` #${item.id}`)),
      h("td", {}, severityBadge(item.severity)),
      h("td", { testid: "complaint-status" }, tEnum("complaint_status", item.status)),
      h("td", { testid: "complaint-next" }, next
        ? [tEnum("deadline_step", next.step), h("br"),
          h("span", { class: "muted" }, t("complaints.due_at", { time: formatDateTime(next.due_at) }))]
        : h("span", { class: "muted" }, t("app.none"))),
      h("td", {}, tEnum("complaint_source", item.source)),
      h("td", {}, tEnum("department", item.department)),
      h("td", { testid: "complaint-owner" }, item.owner_name
        ?? h("span", { class: "muted" }, t("complaint.unowned"))),
      h("td", {}, formatDateTime(item.opened_at)));
  }

  function table() {
    if (error) return errorBox(error, "complaints-error");
    if (reply === null) return h("p", { class: "muted" }, t("app.loading"));
    if (!reply.items.length) {
      return h("p", { class: "empty", testid: "complaints-empty" }, t(`complaints.empty.${view}`));
    }
    const cols = ["state", "customer", "severity", "status", "next", "source", "department",
      "owner", "opened"];
    return h("div", { class: "table-scroll" }, h("table", { class: "table", testid: "complaints" },
      h("thead", {}, h("tr", {}, cols.map((col) => h("th", { scope: "col" }, t(`complaints.col.${col}`))))),
      h("tbody", {}, reply.items.map(row))));
  }

  function render() {
    fill(main,
      h("section", { class: "page", testid: "complaints-view", "aria-labelledby": "complaints-heading" },
        h("div", { class: "page-head" },
          h("h1", { id: "complaints-heading" }, t("complaints.heading")),
          ctx.user.role !== "agent" && h("a", { href: "#/complaint-statistics", testid: "goto-statistics" },
            t("statistics.heading")),
          h("button", { type: "button", class: "button-quiet", testid: "complaints-refresh",
                        onclick: () => load() }, t("work.refresh"))),
        filterForm(),
        h("nav", { class: "tabs", role: "tablist", "aria-label": t("complaints.tabs") }, VIEWS.map(tab)),
        h("div", { id: "complaints-panel", role: "tabpanel", "aria-labelledby": `ctab-${view}`,
                   class: "tab-panel" },
          reply?.items?.length >= 200 && h("p", { class: "note" }, t("complaints.limited")),
          table())));
    main.setAttribute("aria-busy", String(reply === null && !error));
  }

  render();
  Promise.all([load(), loadChoices().then((c) => { choices = c; })]).then(() => {
    if (!destroyed) render();
  });

  return {
    render,
    onMessage(message) {
      // A step fell overdue, or a call to a customer ended (a first contact, say).
      if (message.type === "complaint_overdue"
          || (message.type === "call" && message.call?.state === "ended")) {
        clearTimeout(reloadTimer);
        reloadTimer = setTimeout(load, 300);
      }
    },
    destroy() {
      destroyed = true;
      clearTimeout(reloadTimer);
    },
  };
}
