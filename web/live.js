// The live channel /api/ws: call states, screen-pops and agent state pushed by the server.
// It reconnects by itself with exponential backoff (0.5 s doubling to 15 s, jittered) and
// asks for what it missed with ?since=<last seq>. Listeners get "message" events (detail:
// the parsed message) and "status" events (detail: connecting | open | reconnecting |
// stopped). When the server closes the socket because its session ended (code
// SESSION_ENDED: the account was disabled, the password reset), it does not reconnect but
// sends an "ended" event.

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
const SESSION_ENDED = 4401; // callcenter/http/ws.py

export class LiveSocket extends EventTarget {
  constructor(path = "/api/ws") {
    super();
    this.path = path;
    this.status = "stopped";
    this.lastSeq = 0;
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.onOnline = () => this.reconnectNow();
  }

  start() {
    if (this.status !== "stopped") return;
    window.addEventListener("online", this.onOnline);
    this.setStatus("connecting");
    this.connect();
  }

  stop() {
    window.removeEventListener("online", this.onOnline);
    clearTimeout(this.timer);
    this.setStatus("stopped");
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000);
  }

  reconnectNow() {
    if (this.status !== "reconnecting") return;
    clearTimeout(this.timer);
    this.connect();
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const since = this.lastSeq ? `?since=${this.lastSeq}` : "";
    let ws;
    try {
      ws = new WebSocket(`${scheme}//${location.host}${this.path}${since}`);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.setStatus("open");
    });
    ws.addEventListener("message", (event) => {
      if (this.ws !== ws) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (Number.isInteger(message.seq) && message.seq > this.lastSeq) this.lastSeq = message.seq;
      this.dispatchEvent(new CustomEvent("message", { detail: message }));
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (event.code === SESSION_ENDED) {
        this.stop();
        this.dispatchEvent(new CustomEvent("ended"));
      } else if (this.status !== "stopped") this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    this.setStatus("reconnecting");
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempt);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay * (0.5 + Math.random() / 2));
    this.dispatchEvent(new CustomEvent("retry", { detail: { attempt: this.attempt } }));
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.dispatchEvent(new CustomEvent("status", { detail: status }));
  }
}
