// The agent console: log in, then "My work" (#/work/<list>), a follow-up (#/task/<id>), a
// customer's card (#/customer/<id>), the complaints (#/complaints/<view>?filters, one
// complaint #/complaint/<id> and its printable sheet #/complaint/<id>/sheet; for
// supervisors their statistics #/complaint-statistics?period=&day=), for supervisors the
// recordings (#/recordings?filters) and the reports (#/reports, #/reports/<name>?days&
// filters), changing one's password (#/password) or, for admins, the users (#/users).
// One live WebSocket feeds the open view, the header, the screen-pops and the notices
// of overdue complaint steps. A user whose password an admin reset sees only the
// password form until they have changed it (the server refuses everything else
// meanwhile). Anyone finds a customer at #/customers?q= and opens their card from there.

import { onUnauthorized, get, post } from "./api.js";
import { h, fill } from "./dom.js";
import { LOCALES, locale, setLocale, t } from "./i18n.js";
import { BoardState } from "./board.js";
import { CallStore } from "./calls.js";
import { LiveSocket } from "./live.js";
import { errorBox } from "./messages.js";
import { mountBoard } from "./views/board.js";
import { mountLogin } from "./views/login.js";
import { mountWorklist, LISTS } from "./views/worklist.js";
import { mountTask } from "./views/task.js";
import { mountCustomer } from "./views/customer.js";
import { mountCustomers } from "./views/customers.js";
import { mountPassword } from "./views/password.js";
import { mountUsers } from "./views/users.js";
import { mountComplaints, VIEWS as COMPLAINT_VIEWS } from "./views/complaints.js";
import { mountComplaint } from "./views/complaint.js";
import { mountComplaintSheet } from "./views/complaint_sheet.js";
import { mountComplaintStatistics } from "./views/complaint_statistics.js";
import { mountQueueStatistics } from "./views/queue_statistics.js";
import { mountRecordings } from "./views/recordings.js";
import { mountReport, mountReports, REPORTS } from "./views/reports.js";
import { mountScheduler, TABS as SCHEDULER_TABS } from "./views/scheduler.js";
import { OverdueNotices } from "./views/complaint_notices.js";
import { CallbackReminders } from "./views/callback_reminders.js";
import { PopTray } from "./views/pops.js";
import { QueueControls } from "./views/queue.js";

const main = document.getElementById("main");
const topbar = document.getElementById("topbar");
const localeSelect = document.getElementById("locale");

const app = {
  user: null,
  live: null,
  view: null,
  queue: null,
  pops: null,
  notices: null,
  calls: new CallStore(),
  board: new BoardState(),
};

/** Static texts of index.html (data-i18n) and the header, in the current language. */
function renderChrome() {
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  }
  document.title = t("app.title");
  fill(localeSelect, LOCALES.map((name) =>
    h("option", { value: name, selected: name === locale() }, t(`locale.${name}`))));
  const who = document.getElementById("whoami");
  document.getElementById("nav-users").hidden = app.user?.role !== "admin";
  const supervises = ["supervisor", "admin"].includes(app.user?.role);
  document.getElementById("nav-statistics").hidden = !supervises;
  document.getElementById("nav-queue-statistics").hidden = !supervises;
  document.getElementById("nav-board").hidden = !supervises;
  document.getElementById("nav-recordings").hidden = !supervises;
  document.getElementById("nav-reports").hidden = !supervises;
  document.getElementById("nav-scheduler").hidden = !supervises;
  if (app.user) {
    const name = app.user.display_name || app.user.username;
    who.textContent = app.user.extension
      ? t("app.signed_in_as", { name, extension: app.user.extension })
      : t("app.signed_in_as_no_ext", { name });
  }
  renderWsStatus();
  renderAgentState();
}

function renderWsStatus() {
  const el = document.getElementById("ws-status");
  const status = app.live?.status ?? "stopped";
  el.dataset.state = status;
  el.textContent = t(`ws.${status}`);
}

function renderAgentState() {
  if (app.queue) app.queue.render();
  else document.getElementById("queue-controls").hidden = true;
}

/** Where a user starts: a supervisor's home is the live board. */
function home() {
  return ["supervisor", "admin"].includes(app.user?.role) ? "#/board" : "#/work/today";
}

function route() {
  const hash = location.hash || home();
  let m;
  if ((m = /^#\/work\/(\w+)$/.exec(hash)) && LISTS.includes(m[1])) return { name: "work", list: m[1] };
  if ((m = /^#\/task\/(\d+)$/.exec(hash))) return { name: "task", id: Number(m[1]) };
  if ((m = /^#\/customer\/(\d+)$/.exec(hash))) return { name: "customer", id: Number(m[1]) };
  if ((m = /^#\/customers(?:\?(.*))?$/.exec(hash))) return { name: "customers", query: m[1] ?? "" };
  if ((m = /^#\/complaints\/(\w+)(?:\?(.*))?$/.exec(hash)) && COMPLAINT_VIEWS.includes(m[1])) {
    return { name: "complaints", view: m[1], query: m[2] ?? "" };
  }
  if ((m = /^#\/complaint\/(\d+)\/sheet$/.exec(hash))) {
    return { name: "complaint_sheet", id: Number(m[1]) };
  }
  if ((m = /^#\/complaint\/(\d+)$/.exec(hash))) return { name: "complaint", id: Number(m[1]) };
  if ((m = /^#\/complaint-statistics(?:\?(.*))?$/.exec(hash))) {
    return { name: "complaint_statistics", query: m[1] ?? "" };
  }
  if ((m = /^#\/queue-statistics(?:\?(.*))?$/.exec(hash))) {
    return { name: "queue_statistics", query: m[1] ?? "" };
  }
  if ((m = /^#\/recordings(?:\?(.*))?$/.exec(hash))) return { name: "recordings", query: m[1] ?? "" };
  if (hash === "#/reports") return { name: "reports" };
  if ((m = /^#\/reports\/(\w+)(?:\?(.*))?$/.exec(hash)) && REPORTS.some((r) => r.name === m[1])) {
    return { name: "report", report: m[1], query: m[2] ?? "" };
  }
  if ((m = /^#\/scheduler(?:\/([\w-]+))?(?:\?(.*))?$/.exec(hash))
      && SCHEDULER_TABS.includes(m[1] ?? "runs")) {
    return { name: "scheduler", tab: m[1] ?? "runs", query: m[2] ?? "" };
  }
  if (hash === "#/board") return { name: "board" };
  if (hash === "#/users") return { name: "users" };
  if (hash === "#/password") return { name: "password" };
  if (hash === "#/" || hash === "#") return home() === "#/board" ? { name: "board" } : { name: "work", list: "today" };
  return { name: "not_found" };
}

function showView() {
  if (!app.user) return;
  app.view?.destroy?.();
  app.view = null;
  main.setAttribute("aria-busy", "true");
  const r = route();
  const ctx = { user: app.user, live: app.live, calls: app.calls, board: app.board, main };
  if (r.name === "work") app.view = mountWorklist(main, ctx, r.list);
  else if (r.name === "task") app.view = mountTask(main, ctx, r.id);
  else if (r.name === "customer") app.view = mountCustomer(main, ctx, r.id);
  else if (r.name === "customers") app.view = mountCustomers(main, ctx, r.query);
  else if (r.name === "complaints") app.view = mountComplaints(main, ctx, r.view, r.query);
  else if (r.name === "complaint") {
    app.view = mountComplaint(main, ctx, r.id);
    app.notices?.opened(r.id);
  } else if (r.name === "complaint_sheet") app.view = mountComplaintSheet(main, ctx, r.id);
  else if (r.name === "complaint_statistics") app.view = mountComplaintStatistics(main, ctx, r.query);
  else if (r.name === "queue_statistics") app.view = mountQueueStatistics(main, ctx, r.query);
  else if (r.name === "recordings") app.view = mountRecordings(main, ctx, r.query);
  else if (r.name === "reports") app.view = mountReports(main, ctx);
  else if (r.name === "report") app.view = mountReport(main, ctx, r.report, r.query);
  else if (r.name === "scheduler") app.view = mountScheduler(main, ctx, r.tab, r.query);
  else if (r.name === "board") app.view = mountBoard(main, ctx);
  else if (r.name === "users") app.view = mountUsers(main, ctx);
  else if (r.name === "password") app.view = mountPassword(main, { onChanged: () => {} });
  else {
    fill(main, h("p", { class: "notice" }, t("app.not_found")),
      h("a", { href: "#/work/today" }, t("app.back_to_list")));
    main.setAttribute("aria-busy", "false");
  }
}

function onLiveMessage(event) {
  const message = event.detail;
  if (message.type === "call" && message.call?.id) app.calls.apply(message.call);
  if (message.type === "agent_state") app.queue?.apply(message);
  app.board.apply(message);
  // The server may push the agent's state for the phone going idle before it has closed
  // the call, so "available" can arrive where "wrap_up" is due: ask again once it has.
  if (message.type === "call" && message.call?.direction === "inbound"
      && message.call.state === "ended" && !message.snapshot) app.queue?.refresh();
  app.pops?.onMessage(message);
  app.notices?.onMessage(message);
  app.view?.onMessage?.(message);
}

function startSession(user) {
  if (user.must_change_password) {
    changePasswordFirst(user);
    return;
  }
  app.user = user;
  setLocale(user.locale);
  topbar.hidden = false;
  app.live = new LiveSocket();
  app.live.addEventListener("status", (event) => {
    renderWsStatus();
    // The socket's snapshot has the calls and pops, not the queue state: ask for it.
    if (event.detail === "open") app.queue?.refresh();
  });
  app.live.addEventListener("message", onLiveMessage);
  // The session ended on the server (account disabled, password reset): see why.
  app.live.addEventListener("ended", () => get("/api/me").catch(() => {}));
  app.live.addEventListener("retry", async (event) => {
    // A socket that keeps failing may mean the session ended: check, and log in again.
    if (event.detail.attempt % 3 === 0) get("/api/me").catch(() => {});
  });
  app.queue = new QueueControls(document.getElementById("queue-controls"), user, {
    // A call still waiting for its wrap-up (after a reload, say) gets its form back.
    onState: (state) => app.pops?.recover(state.wrap_up_call_id),
  });
  app.pops = new PopTray(document.getElementById("pops"), document.getElementById("pop-announce"));
  app.notices = new OverdueNotices(document.getElementById("notices"));
  app.reminders = new CallbackReminders(remindersElement(), user.id);
  app.live.start();
  renderChrome();
  showView();
}

/** Where due callbacks are announced: beside the complaint notices. */
function remindersElement() {
  const notices = document.getElementById("notices");
  let el = document.getElementById("callback-reminders");
  if (!el) {
    el = h("div", { id: "callback-reminders", class: notices.className, hidden: true });
    notices.after(el);
  }
  return el;
}

/** After an admin's reset: nothing but the password form, then the console. */
function changePasswordFirst(user) {
  setLocale(user.locale);
  renderChrome();
  mountPassword(main, {
    forced: true,
    onChanged: (changed) => startSession(changed),
    onLogout: () => logOut(),
  });
}

function endSession(reason) {
  app.view?.destroy?.();
  app.view = null;
  app.live?.stop();
  app.live = null;
  app.pops?.clear();
  app.pops = null;
  app.notices?.clear();
  app.notices = null;
  app.reminders?.stop();
  app.reminders = null;
  app.queue?.destroy();
  app.queue = null;
  app.user = null;
  app.calls.clear();
  app.board.clear();
  topbar.hidden = true;
  renderChrome();
  mountLogin(main, {
    reason,
    onLoggedIn: (user) => startSession(user),
  });
}

localeSelect.addEventListener("change", () => {
  // Only the view changes: the user's saved locale stays what the server says.
  setLocale(localeSelect.value);
  renderChrome();
  app.pops?.render();
  app.notices?.render();
  app.view?.render();
});

async function logOut() {
  try {
    await post("/api/logout");
  } catch {
    // Logged out or not, the console forgets the session.
  }
  endSession(null);
}

document.getElementById("logout").addEventListener("click", logOut);

window.addEventListener("hashchange", () => {
  if (!location.hash.startsWith("#/")) return;
  showView();
  main.focus({ preventScroll: true }); // screen readers start reading the new view
  window.scrollTo(0, 0);
});

onUnauthorized((error) => {
  if (app.user) endSession(error);
});

async function boot() {
  setLocale(navigator.language?.toLowerCase().startsWith("zh") ? "zh-CN" : "en");
  renderChrome();
  try {
    const { user } = await get("/api/me");
    startSession(user);
  } catch (error) {
    if (error.status === 401) {
      endSession(null);
    } else {
      fill(main, errorBox(error), h("button", { type: "button", onclick: () => boot() },
        t("app.retry")));
      main.setAttribute("aria-busy", "false");
    }
  }
}

boot();
