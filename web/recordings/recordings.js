// The supervisor's recordings page: search (keyset pages), play with seeking, waveform.
// Requests fail with the console's ApiError, shown as the text of its error_id.
import { get } from "../api.js";
import { setLocale } from "../i18n.js";
import { errorText } from "../messages.js";
import { translate } from "./strings.js";

const $ = (selector) => document.querySelector(selector);
const state = { locale: "zh-CN", cursor: null, query: "", peaks: [], selected: null };
const t = (key, vars) => translate(state.locale, key, vars);

function showMessage(text) {
  $("#message").textContent = text;
  $("#message").hidden = !text;
}

function applyStrings() {
  setLocale(state.locale);  // the language of errorText()
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const select of document.querySelectorAll("select[data-options]")) {
    const current = select.value;
    select.replaceChildren(new Option(t("any"), ""));
    for (const value of select.dataset.options.split(",")) {
      select.append(new Option(t(value) === value ? value : t(value), value));
    }
    select.value = current;
  }
}

function queryFromForm() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData($("#search"))) {
    if (!value || name === "phone_start") continue;
    // datetime-local has no zone: send the browser's own offset with it.
    params.set(name, name === "from" || name === "to" ? new Date(value).toISOString() : value);
  }
  if ($("#search").phone_start.checked) params.set("phone_match", "start");
  return params.toString();
}

const seconds = (ms) => (ms == null ? "" : `${Math.floor(ms / 60000)}:${String(Math.round(ms / 1000) % 60).padStart(2, "0")}`);

function addRows(items) {
  const body = $("#results tbody");
  for (const item of items) {
    const row = body.insertRow();
    row.dataset.id = item.id;
    const cells = [new Date(item.started_at).toLocaleString(state.locale), item.customer_name,
      item.phone, item.agent_name, t(item.direction || ""), item.disposition,
      seconds(item.duration_ms)];
    for (const text of cells) row.insertCell().textContent = text ?? "";
    row.addEventListener("click", () => openRecording(item.id, row));
  }
}

async function search(more = false) {
  if (!more) {
    state.query = queryFromForm();
    state.cursor = null;
    $("#results tbody").replaceChildren();
  }
  const cursor = state.cursor ? `&cursor=${encodeURIComponent(state.cursor)}` : "";
  try {
    const body = await get(`/api/recordings?${state.query}${cursor}`);
    showMessage("");
    addRows(body.items);
    state.cursor = body.next_cursor;
    $("#more").hidden = !state.cursor;
    $("#total").textContent = body.total ? t("total", { n: body.total }) : t("noResults");
  } catch (err) {
    showMessage(err.status === 401 ? t("loginFirst") : t("failed", { m: errorText(err) }));
  }
}

function drawWaveform() {
  const canvas = $("#waveform");
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  const audio = $("#audio");
  const played = audio.duration ? audio.currentTime / audio.duration : 0;
  ctx.clearRect(0, 0, width, height);
  const bar = width / Math.max(state.peaks.length, 1);
  state.peaks.forEach((peak, i) => {
    const h = Math.max(1, (peak / 100) * height);
    ctx.fillStyle = i / state.peaks.length < played ? "#2b6cb0" : "#a0aec0";
    ctx.fillRect(i * bar, (height - h) / 2, Math.max(bar - 1, 1), h);
  });
}

async function openRecording(id, row) {
  document.querySelectorAll("tbody tr.selected").forEach((r) => r.classList.remove("selected"));
  row.classList.add("selected");
  try {
    const { recording } = await get(`/api/recordings/${id}`);
    state.selected = recording;
    state.peaks = recording.peaks;
    const audio = $("#audio");
    audio.src = `/api/recordings/${id}/audio`;
    $("#download").href = `/api/recordings/${id}/audio?download=1`;
    const facts = [["status", recording.status], ["customer", recording.customer_name],
      ["phone", recording.phone], ["agent", recording.agent_name],
      ["vehicle", [recording.plate, recording.model].filter(Boolean).join(" ")],
      ["followup", [recording.followup_kind, recording.followup_result].filter(Boolean).join(" / ")],
      ["complaint", recording.complaint_id], ["category", recording.category],
      ["notes", recording.notes], ["transcript", recording.transcript]];
    $("#details").replaceChildren(...facts.filter(([, v]) => v).flatMap(([k, v]) => {
      const dt = document.createElement("dt");
      const dd = document.createElement("dd");
      dt.textContent = t(k);
      dd.textContent = String(v);
      return [dt, dd];
    }));
    $("#player").hidden = false;
    drawWaveform();
  } catch (err) {
    showMessage(t("failed", { m: errorText(err) }));
  }
}

function seekFromWaveform(event) {
  const audio = $("#audio");
  if (!audio.duration) return;
  const box = event.currentTarget.getBoundingClientRect();
  // Seeking makes the browser fetch from that byte on: an HTTP Range request.
  audio.currentTime = ((event.clientX - box.left) / box.width) * audio.duration;
  drawWaveform();
}

async function start() {
  try {
    const { user } = await get("/api/me");
    state.locale = user.locale || "zh-CN";
  } catch {
    showMessage(translate(state.locale, "loginFirst"));
  }
  applyStrings();
  $("#search").addEventListener("submit", (e) => { e.preventDefault(); search(); });
  $("#more").addEventListener("click", () => search(true));
  $("#waveform").addEventListener("click", seekFromWaveform);
  $("#audio").addEventListener("timeupdate", drawWaveform);
  $("#language").addEventListener("click", () => {
    state.locale = state.locale === "en" ? "zh-CN" : "en";
    applyStrings();
  });
}

start();
