// "My work": the worklist's sections as tabs: due today, overdue, call again (due again
// now), callbacks (at the time the customer named) and the coming 7 days (a read-only
// preview). Supervisors see everyone's tasks with a checkbox each, an assign bar (one
// agent takes the selection; several share it round-robin: POST /api/followups/assign)
// and each agent's load (GET /api/followups/load).

import { get, post } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDate, formatDateTime, t, tEnum } from "../i18n.js";
import { errorBox } from "../messages.js";
import { customerBadges } from "./badges.js";

export const LISTS = ["today", "overdue", "call_again", "callbacks", "coming"];

export function mountWorklist(main, ctx, active) {
  const lists = Object.fromEntries(LISTS.map((name) => [name, null]));
  const errors = {};
  const supervises = ["supervisor", "admin"].includes(ctx.user?.role);
  const selected = new Set();
  const chosenAgents = new Set();
  let load = null;
  let assignError = null;
  let assignedCount = null;
  let destroyed = false;
  let reloadTimer = null;

  async function reload() {
    if (supervises) {
      try {
        load = await get("/api/followups/load");
      } catch (error) {
        assignError = error;
      }
    }
    await Promise.all(LISTS.map(async (name) => {
      try {
        const { items } = await get(`/api/followups?list=${name}`);
        lists[name] = items;
        delete errors[name];
      } catch (error) {
        errors[name] = error;
      }
    }));
    if (!destroyed) render();
  }

  function tab(name) {
    const count = lists[name]?.length;
    return h("a", { href: `#/work/${name}`, role: "tab", id: `tab-${name}`,
                    "aria-selected": String(name === active), "aria-controls": "worklist-panel",
                    class: name === active ? "tab tab-active" : "tab", testid: `tab-${name}` },
      t(`work.tab.${name}`),
      count !== undefined && h("span", { class: "count", testid: `count-${name}` }, count));
  }

  // When a task of the preview becomes workable: its callback, its next attempt, its day.
  const workableAt = (task) => task.callback_at ? formatDateTime(task.callback_at)
    : task.next_attempt_at ? formatDateTime(task.next_attempt_at) : formatDate(task.due_date);

  function row(task) {
    const name = task.customer?.name ?? t("app.unknown");
    return h("tr", { testid: "task-row", dataset: { taskId: task.id, customerId: task.customer?.id } },
      supervises && h("td", {}, h("input", {
        type: "checkbox", testid: "task-select", checked: selected.has(task.id),
        "aria-label": t("work.select_task", { name }),
        onchange: (e) => { if (e.target.checked) selected.add(task.id); else selected.delete(task.id); render(); },
      })),
      h("th", { scope: "row" }, active === "coming" ? h("span", { testid: "task-name" }, name)
        : h("a", { href: `#/task/${task.id}`, testid: "task-link",
                   "aria-label": t("work.open_task", { name }) }, name)),
      h("td", { testid: "task-kind" }, tEnum("kind", task.kind)),
      h("td", { testid: "task-due" }, formatDate(task.due_date)),
      active === "call_again" && h("td", {}, formatDateTime(task.next_attempt_at)),
      active === "callbacks" && h("td", { testid: "task-callback" }, formatDateTime(task.callback_at)),
      active === "coming" && h("td", { testid: "task-workable" }, workableAt(task)),
      supervises && h("td", { testid: "task-assignee" }, task.assigned_name ?? t("work.unassigned")),
      h("td", { class: "num", testid: "task-attempts" }, task.attempts ?? 0),
      h("td", {}, task.vehicle ? [task.vehicle.plate, " ",
        h("span", { class: "muted" }, task.vehicle.model ?? "")] : t("app.unknown")),
      h("td", { class: "flags" }, customerBadges(task.customer)));
  }

  function table() {
    const items = lists[active];
    if (errors[active]) return errorBox(errors[active]);
    if (items === null) return h("p", { class: "muted" }, t("app.loading"));
    if (!items.length) return h("p", { class: "empty", testid: "worklist-empty" }, t(`work.empty.${active}`));
    return h("table", { class: "table worklist", testid: "worklist" },
      h("thead", {}, h("tr", {},
        supervises && h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("work.col.select"))),
        h("th", { scope: "col" }, t("work.col.customer")),
        h("th", { scope: "col" }, t("work.col.kind")),
        h("th", { scope: "col" }, t("work.col.due")),
        active === "call_again" && h("th", { scope: "col" }, t("work.col.next")),
        active === "callbacks" && h("th", { scope: "col" }, t("work.col.callback")),
        active === "coming" && h("th", { scope: "col" }, t("work.col.workable")),
        supervises && h("th", { scope: "col" }, t("work.col.assignee")),
        h("th", { scope: "col", class: "num" }, t("work.col.attempts")),
        h("th", { scope: "col" }, t("work.col.vehicle")),
        h("th", { scope: "col" }, t("work.col.flags")))),
      h("tbody", {}, items.map(row)));
  }

  async function assign() {
    assignError = null;
    assignedCount = null;
    try {
      const { assigned } = await post("/api/followups/assign",
        { task_ids: [...selected], agent_ids: [...chosenAgents] });
      assignedCount = assigned.length;
      selected.clear();
    } catch (error) {
      assignError = error;
    }
    await reload();
  }

  // The supervisor's bar: the agents to give the selection to, with their load.
  function assignBar() {
    if (!supervises) return null;
    const agents = load?.agents ?? [];
    return h("section", { class: "panel assign-bar", testid: "assign-bar", "aria-labelledby": "assign-heading" },
      h("h2", { id: "assign-heading" }, t("work.assign.heading")),
      h("p", { class: "muted", testid: "unassigned-count" },
        t("work.assign.unassigned", { count: load?.unassigned ?? 0 })),
      h("table", { class: "table load", testid: "load" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("work.assign.agent")),
          ["open", "today", "overdue", "call_again", "callbacks"].map((k) =>
            h("th", { scope: "col", class: "num" }, t(`work.load.${k}`))))),
        h("tbody", {}, agents.map((a) => h("tr", { testid: "load-row", dataset: { agentId: a.agent_id } },
          h("th", { scope: "row" }, h("label", { class: "check" },
            h("input", { type: "checkbox", testid: "agent-select", checked: chosenAgents.has(a.agent_id),
                         onchange: (e) => { if (e.target.checked) chosenAgents.add(a.agent_id); else chosenAgents.delete(a.agent_id); render(); } }),
            " ", a.display_name || a.username)),
          ["open", "today", "overdue", "call_again", "callbacks"].map((k) =>
            h("td", { class: "num", testid: `load-${k}` }, a[k])))))),
      assignError && errorBox(assignError, "assign-error"),
      assignedCount !== null && h("p", { role: "status", testid: "assign-done" },
        t("work.assign.done", { count: assignedCount })),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "button-primary", testid: "assign",
                      disabled: selected.size === 0 || chosenAgents.size === 0, onclick: assign },
          t(chosenAgents.size > 1 ? "work.assign.round_robin" : "work.assign.button",
            { count: selected.size, agents: chosenAgents.size }))));
  }

  function render() {
    fill(main,
      h("section", { class: "page", "aria-labelledby": "work-heading" },
        h("div", { class: "page-head" },
          h("h1", { id: "work-heading" }, t("work.heading")),
          h("button", { type: "button", class: "button-quiet", testid: "refresh",
                        onclick: () => reload() }, t("work.refresh"))),
        active === "coming" && h("p", { class: "note", testid: "coming-note" }, t("work.coming_note")),
        h("nav", { class: "tabs", role: "tablist", "aria-label": t("work.tabs") }, LISTS.map(tab)),
        h("div", { id: "worklist-panel", role: "tabpanel", "aria-labelledby": `tab-${active}`,
                   class: "tab-panel" }, table()),
        assignBar()));
    main.setAttribute("aria-busy", String(lists[active] === null && !errors[active]));
  }

  render();
  reload();

  return {
    render,
    onMessage(message) {
      // A call of mine ended: a task may have moved lists (call again, unreachable...).
      if (message.type === "call" && message.call?.state === "ended") {
        clearTimeout(reloadTimer);
        reloadTimer = setTimeout(reload, 300);
      }
    },
    destroy() {
      destroyed = true;
      clearTimeout(reloadTimer);
    },
  };
}
