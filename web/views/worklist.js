// "My work": the follow-ups due today, overdue, and to call again, as three tabs.

import { get } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDate, formatDateTime, t, tEnum } from "../i18n.js";
import { errorBox } from "../messages.js";
import { customerBadges } from "./badges.js";

export const LISTS = ["today", "overdue", "call_again"];

export function mountWorklist(main, ctx, active) {
  const lists = { today: null, overdue: null, call_again: null };
  const errors = {};
  let destroyed = false;
  let reloadTimer = null;

  async function load() {
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

  function row(task) {
    const name = task.customer?.name ?? t("app.unknown");
    return h("tr", { testid: "task-row", dataset: { taskId: task.id, customerId: task.customer?.id } },
      h("th", { scope: "row" },
        h("a", { href: `#/task/${task.id}`, testid: "task-link",
                 "aria-label": t("work.open_task", { name }) }, name)),
      h("td", { testid: "task-kind" }, tEnum("kind", task.kind)),
      h("td", { testid: "task-due" }, formatDate(task.due_date)),
      active === "call_again" && h("td", {}, formatDateTime(task.next_attempt_at)),
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
        h("th", { scope: "col" }, t("work.col.customer")),
        h("th", { scope: "col" }, t("work.col.kind")),
        h("th", { scope: "col" }, t("work.col.due")),
        active === "call_again" && h("th", { scope: "col" }, t("work.col.next")),
        h("th", { scope: "col", class: "num" }, t("work.col.attempts")),
        h("th", { scope: "col" }, t("work.col.vehicle")),
        h("th", { scope: "col" }, t("work.col.flags")))),
      h("tbody", {}, items.map(row)));
  }

  function render() {
    fill(main,
      h("section", { class: "page", "aria-labelledby": "work-heading" },
        h("div", { class: "page-head" },
          h("h1", { id: "work-heading" }, t("work.heading")),
          h("button", { type: "button", class: "button-quiet", testid: "refresh",
                        onclick: () => load() }, t("work.refresh"))),
        h("nav", { class: "tabs", role: "tablist", "aria-label": t("work.tabs") }, LISTS.map(tab)),
        h("div", { id: "worklist-panel", role: "tabpanel", "aria-labelledby": `tab-${active}`,
                   class: "tab-panel" }, table())));
    main.setAttribute("aria-busy", String(lists[active] === null && !errors[active]));
  }

  render();
  load();

  return {
    render,
    onMessage(message) {
      // A call of mine ended: a task may have moved lists (call again, unreachable...).
      if (message.type === "call" && message.call?.state === "ended") {
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
