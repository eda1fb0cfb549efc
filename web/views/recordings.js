// The recordings (#/recordings?filters), for supervisors (agents see their own calls
// only): a search by words of the notes or transcript, days, agent (chosen by name from
// GET /api/agents), customer name, phone digits, direction, outcome, length, follow-up,
// linked complaint and category. The filters live in the address, so back and forward
// return to a search and a link keeps it. Results come newest first in keyset pages
// ("load more"); past a bound the server stops counting and says so
// (total_is_lower_bound: "more than N"; a server without the field counts exactly).
// A chosen recording plays in the player: HTML5 audio, whose seeks the browser makes as
// HTTP Range requests, a waveform drawn from the recording's peaks (click to seek), and
// the call's details. The server audits every fetch of the audio.

import { get } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDateTime, formatDuration, formatNumber, locale, t, tEnum } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";
import { formatPhone } from "../phones.js";
import { startOfDay } from "./complaints.js";

// The query parameters of GET /api/recordings that the form offers, with the address's
// names: the same, but "from" and "to" are days there (the API takes instants).
const FILTERS = ["q", "from", "to", "agent_id", "customer", "phone", "phone_match",
  "direction", "disposition", "min_seconds", "max_seconds", "followup_kind",
  "followup_result", "complaint", "category"];
// Each choice list: its values (the API's enumerations) and their i18n group.
const CHOICES = {
  phone_match: [["end", "start"], "recordings.phone_match"],
  direction: [["inbound", "outbound", "internal"], "direction"],
  disposition: [["answered", "busy", "no_answer", "unreachable", "failed", "abandoned",
    "agent_no_answer", "wrong_number"], "disposition"],
  followup_kind: [["sales", "service", "maintenance_reminder", "win_back", "dormant_prospect",
    "complaint_check"], "kind"],
  followup_result: [["satisfied", "dissatisfied"], "result"],
  complaint: [["yes", "no"], "recordings.complaint"],
  category: [["inquiry", "complaint", "appointment", "followup", "other"], "category"],
};
const COLUMNS = ["started", "customer", "phone", "agent", "direction", "disposition", "duration"];

function hashOf(filters) {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]);
  // "end" is what the server assumes: the address names only the other choice.
  if (filters.phone_match === "end" || !filters.phone) params.delete("phone_match");
  const query = params.toString();
  return `#/recordings${query ? `?${query}` : ""}`;
}

function apiQuery(filters, cursor) {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = filters[name];
    if (!value) continue;
    // "to" is a day included in the search: the server's bound is the next day's start.
    if (name === "from") params.set("from", startOfDay(value));
    else if (name === "to") params.set("to", startOfDay(value, 1));
    else params.set(name, value);
  }
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

function totalText(page) {
  const n = formatNumber(page.total);
  return page.total_is_lower_bound ? t("recordings.total_more", { n }) : t("recordings.total", { n });
}

function agentLabel(agent) {
  const named = agent.extension
    ? t("recordings.agent_extension", { name: agent.display_name, extension: agent.extension })
    : agent.display_name;
  return agent.active ? named : t("recordings.agent_inactive", { name: named });
}

// The index keeps a number's digits as people type them: a Chinese number's national
// digits (+86 dropped), another country's with its code. A Chinese shape is grouped as
// it is read at home; anything else stays as it is.
const CHINESE_DIGITS = /^(?:1\d{10}|0\d{9,11}|[48]00\d{7})$/;

function phoneText(digits) {
  if (!digits) return t("app.unknown");
  return CHINESE_DIGITS.test(digits) ? formatPhone(`+86${digits.replace(/^0/, "")}`) : digits;
}

const seconds = (ms) => (ms === null || ms === undefined ? null : ms / 1000);

/** The player: one audio element and its waveform for the view's life, so that
 * re-rendering (a change of language) neither stops nor restarts what is playing. */
class Player {
  constructor() {
    this.peaks = [];
    this.audio = h("audio", { controls: true, preload: "metadata", class: "player-audio",
                              testid: "recording-audio",
                              ontimeupdate: () => this.draw(), onloadedmetadata: () => this.draw(),
                              onseeked: () => this.draw() });
    this.canvas = h("canvas", { width: 600, height: 80, class: "waveform", role: "img",
                                testid: "recording-waveform", onclick: (e) => this.seek(e) });
  }

  load(recording) {
    this.peaks = recording.peaks ?? [];
    if (recording.status === "ready") this.audio.src = `/api/recordings/${recording.id}/audio`;
    else this.audio.removeAttribute("src");
    this.draw();
  }

  draw() {
    const { width, height } = this.canvas;
    const ctx = this.canvas.getContext("2d");
    const style = getComputedStyle(document.documentElement);
    const { currentTime, duration } = this.audio;
    const played = duration ? currentTime / duration : 0;
    ctx.clearRect(0, 0, width, height);
    const bar = width / Math.max(this.peaks.length, 1);
    this.peaks.forEach((peak, i) => {
      const tall = Math.max(1, (peak / 100) * height);
      ctx.fillStyle = style.getPropertyValue(i / this.peaks.length < played ? "--accent" : "--line")
        .trim();
      ctx.fillRect(i * bar, (height - tall) / 2, Math.max(bar - 1, 1), tall);
    });
  }

  seek(event) {
    if (!this.audio.duration) return;
    const box = event.currentTarget.getBoundingClientRect();
    // The browser fetches the audio from that byte on: an HTTP Range request.
    this.audio.currentTime = ((event.clientX - box.left) / box.width) * this.audio.duration;
    this.draw();
  }

  stop() {
    this.audio.pause();
    this.audio.removeAttribute("src");
    this.audio.load();
  }
}

export function mountRecordings(main, ctx, query = "") {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, ""]));
  for (const [name, value] of new URLSearchParams(query)) {
    if (FILTERS.includes(name)) filters[name] = value;
  }
  const draft = { ...filters }; // what the form holds, kept across renders
  const supervises = ctx.user.role === "supervisor" || ctx.user.role === "admin";
  const player = new Player();
  let agents; // undefined while loading; null when the list could not be had
  let first = null; // the first page's answer: its total
  let items = [];
  let cursor = null;
  let error = null;
  let loading = false;
  let chosen = null; // {id} while loading, then the recording's details
  let chosenError = null;
  let destroyed = false;

  async function search(more = false) {
    loading = true;
    render();
    try {
      const page = await get(`/api/recordings?${apiQuery(filters, more ? cursor : null)}`);
      if (destroyed) return;
      if (!more) first = page;
      items = more ? [...items, ...page.items] : page.items;
      cursor = page.next_cursor;
      error = null;
    } catch (err) {
      error = err;
    }
    loading = false;
    if (!destroyed) render();
  }

  async function loadAgents() {
    try {
      agents = (await get("/api/agents")).agents;
      const order = new Intl.Collator(locale());
      agents.sort((a, b) => order.compare(a.display_name, b.display_name));
    } catch {
      agents = null; // the field then offers only the agent the address names
    }
    if (!destroyed) render();
  }

  async function choose(id) {
    player.audio.pause(); // the one playing is hidden until the next is ready
    chosen = { id };
    chosenError = null;
    render();
    try {
      const { recording } = await get(`/api/recordings/${id}`);
      if (destroyed || chosen?.id !== id) return; // another was chosen meanwhile
      chosen = recording;
      player.load(recording);
    } catch (err) {
      if (chosen?.id !== id) return;
      chosenError = err;
    }
    if (!destroyed) render();
  }

  // ---- the form ----------------------------------------------------------------------

  function options(name) {
    const [values, group] = CHOICES[name];
    const any = name === "phone_match" ? [] : [h("option", { value: "" }, t("recordings.filter.any"))];
    return [any, values.map((value) => h("option", { value, selected: draft[name] === value },
      tEnum(group, value)))];
  }

  function agentOptions() {
    const listed = agents ?? [];
    const unlisted = draft.agent_id && agents !== undefined
      && !listed.some((a) => String(a.id) === draft.agent_id);
    return [h("option", { value: "" }, t("recordings.filter.any")),
      listed.map((agent) => h("option", { value: String(agent.id),
                                          selected: String(agent.id) === draft.agent_id },
        agentLabel(agent))),
      unlisted && h("option", { value: draft.agent_id, selected: true },
        t("recordings.agent_unlisted", { id: draft.agent_id }))];
  }

  function filterForm() {
    const submit = (event) => {
      event.preventDefault();
      const form = event.currentTarget.elements;
      const next = hashOf(Object.fromEntries(FILTERS.map((name) =>
        [name, form[name] ? form[name].value.trim() : ""])));
      if (location.hash === next) search(); // the same search again: no hashchange
      else location.hash = next;
    };
    const field = (name, input) => h("div", { class: "field" },
      h("label", { for: `rfilter-${name}` }, t(`recordings.filter.${name}`)), input);
    const input = (name, attrs) => field(name, h("input", {
      id: `rfilter-${name}`, name, value: draft[name], testid: `rfilter-${name}`, ...attrs }));
    const select = (name, choices) => field(name, h("select", {
      id: `rfilter-${name}`, name, testid: `rfilter-${name}` }, choices));
    return h("form", { class: "filters", testid: "recording-filters", role: "search",
                       onsubmit: submit,
                       oninput: (e) => { draft[e.target.name] = e.target.value; } },
      input("q", { type: "search", maxlength: 200, placeholder: t("recordings.search_hint") }),
      input("from", { type: "date" }),
      input("to", { type: "date" }),
      supervises && select("agent_id", agentOptions()),
      input("customer", { type: "search", maxlength: 100 }),
      input("phone", { type: "search", inputmode: "numeric", maxlength: 20 }),
      select("phone_match", options("phone_match")),
      ["direction", "disposition"].map((name) => select(name, options(name))),
      input("min_seconds", { type: "number", min: 0 }),
      input("max_seconds", { type: "number", min: 0 }),
      ["followup_kind", "followup_result", "complaint", "category"].map((name) =>
        select(name, options(name))),
      h("div", { class: "filter-actions" },
        h("button", { type: "submit", class: "button-primary", testid: "recording-search" },
          t("recordings.search")),
        h("a", { href: "#/recordings", class: "button-link", testid: "recording-filters-clear" },
          t("recordings.clear"))));
  }

  // ---- the results -------------------------------------------------------------------

  function row(item) {
    const name = item.customer_name || t("app.unknown");
    const when = formatDateTime(item.started_at);
    return h("tr", { testid: "recording-row", class: chosen?.id === item.id ? "highlight is-choosable" : "is-choosable",
                     dataset: { recordingId: item.id }, onclick: () => choose(item.id) },
      h("td", { class: "nowrap" },
        h("button", { type: "button", class: "button-quiet button-small", testid: "recording-open",
                      "aria-label": t("recordings.open", { name, time: when }) }, "▶"),
        " ", when),
      h("th", { scope: "row" }, name),
      h("td", { class: "nowrap", testid: "recording-phone" }, phoneText(item.phone)),
      h("td", {}, item.agent_name ?? t("app.unknown")),
      h("td", { testid: "recording-direction" }, tEnum("direction", item.direction)),
      h("td", { testid: "recording-disposition" }, tEnum("disposition", item.disposition)),
      h("td", { class: "num" }, formatDuration(seconds(item.duration_ms))));
  }

  function results() {
    // A failed "load more" keeps the rows already shown, with the error under them.
    if (error && !items.length) return errorBox(error, "recordings-error");
    if (first === null) return h("p", { class: "muted" }, t("app.loading"));
    if (!items.length) return h("p", { class: "empty", testid: "recordings-empty" }, t("recordings.empty"));
    return [
      h("p", { class: "muted", testid: "recordings-total" }, totalText(first),
        items.length < first.total ? ` · ${t("recordings.shown", { n: formatNumber(items.length) })}` : ""),
      h("div", { class: "table-scroll" }, h("table", { class: "table compact", testid: "recordings" },
        h("thead", {}, h("tr", {}, COLUMNS.map((col) => h("th", { scope: "col", class: col === "duration" ? "num" : null },
          t(`recordings.col.${col}`))))),
        h("tbody", {}, items.map(row)))),
      error && errorBox(error, "recordings-error"),
      cursor && h("button", { type: "button", class: "button-quiet", testid: "recordings-more",
                              disabled: loading, onclick: () => search(true) }, t("recordings.more")),
    ];
  }

  // ---- the player --------------------------------------------------------------------

  function details(rec) {
    const facts = [
      ["started_at", formatDateTime(rec.started_at)],
      ["duration", rec.duration_ms === null ? null : formatDuration(seconds(rec.duration_ms))],
      ["status", tEnum("recording_status", rec.status)],
      ["customer", rec.customer_name && (rec.customer_id
        ? h("a", { href: `#/customer/${rec.customer_id}` }, rec.customer_name) : rec.customer_name)],
      ["phone", rec.phone && phoneText(rec.phone)],
      ["agent", rec.agent_name],
      ["direction", rec.direction && tEnum("direction", rec.direction)],
      ["disposition", rec.disposition && tEnum("disposition", rec.disposition)],
      ["vehicle", [rec.plate, rec.model].filter(Boolean).join(" ")],
      ["followup", [rec.followup_kind && tEnum("kind", rec.followup_kind),
        rec.followup_result && tEnum("result", rec.followup_result)].filter(Boolean).join(" · ")],
      ["complaint", rec.complaint_id && h("a", { href: `#/complaint/${rec.complaint_id}` },
        t("recordings.complaint_link", { id: rec.complaint_id }))],
      ["category", rec.category && tEnum("category", rec.category)],
      ["notes", rec.notes],
      ["transcript", rec.transcript],
    ];
    return h("dl", { class: "profile", testid: "recording-details" },
      facts.filter(([, value]) => value).map(([key, value]) => [
        h("dt", {}, t(`recordings.detail.${key}`)), h("dd", { dataset: { fact: key } }, value)]));
  }

  function playerPanel() {
    player.canvas.setAttribute("aria-label", t("recordings.waveform"));
    player.audio.setAttribute("aria-label", t("recordings.player"));
    const ready = chosen?.status === "ready";
    return h("section", { class: "panel player", testid: "recording-player",
                          "aria-labelledby": "player-heading" },
      h("h2", { id: "player-heading" }, t("recordings.player")),
      !chosen && h("p", { class: "muted" }, t("recordings.choose")),
      chosenError && errorBox(chosenError, "recording-error"),
      chosen && !chosen.status && !chosenError && h("p", { class: "muted" }, t("app.loading")),
      chosen?.status && !ready && noticeBox(t("recordings.not_playable", {
        status: tEnum("recording_status", chosen.status) }), { testid: "recording-unplayable", kind: "warn" }),
      // Hidden, not left out: the element keeps playing through a re-render.
      h("div", { class: "player-media", hidden: !ready },
        player.canvas, player.audio,
        ready && h("a", { href: `/api/recordings/${chosen.id}/audio?download=1`, download: "",
                          class: "button-quiet button-link", testid: "recording-download" },
          t("recordings.download"))),
      chosen?.status && details(chosen));
  }

  function render() {
    fill(main, h("section", { class: "page", testid: "recordings-view",
                              "aria-labelledby": "recordings-heading" },
      h("div", { class: "page-head" }, h("h1", { id: "recordings-heading" }, t("recordings.heading"))),
      !supervises && noticeBox(t("recordings.own_only"), { testid: "recordings-own-only" }),
      filterForm(),
      h("div", { class: "task-grid recordings-grid" },
        h("section", { class: "panel", "aria-labelledby": "results-heading", "aria-busy": String(loading) },
          h("h2", { id: "results-heading" }, t("recordings.results")), results()),
        h("div", { class: "task-side" }, playerPanel()))));
    player.draw();
    main.setAttribute("aria-busy", String(first === null && !error));
  }

  render();
  search();
  if (supervises) loadAgents();

  return {
    render,
    destroy() {
      destroyed = true;
      player.stop();
    },
  };
}
