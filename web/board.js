// The supervisors' board as the server pushes it (callcenter/services/board.py): the
// whole picture on every (re)connect ("board"), then one change at a time
// ("board_call", "board_agent", "board_figures"). Kept while the console is open, so the
// board view shows it at once whenever it is opened. Listeners get "change" events.

const WAITING = new Set(["queued", "ringing"]);

export class BoardState extends EventTarget {
  constructor() {
    super();
    this.clear();
  }

  clear() {
    this.ready = false;
    this.agents = new Map(); // id -> agent row
    this.calls = new Map(); // id -> call row (ended calls leave)
    this.figures = {};
    this.clockOffset = 0; // the server's clock minus ours, in ms
  }

  /** Take in a live message; true if it was one of the board's. */
  apply(message) {
    switch (message.type) {
      case "board":
        this.agents = new Map(message.agents.map((a) => [a.id, { ...a }]));
        this.calls = new Map(message.calls.map((c) => [c.id, c]));
        this.figures = message.figures ?? {};
        this.clockOffset = Date.parse(message.server_time) - Date.now();
        this.ready = true;
        break;
      case "board_call":
        if (message.call.state === "ended") this.calls.delete(message.call.id);
        else this.calls.set(message.call.id, message.call);
        break;
      case "board_agent": {
        const known = this.agents.get(message.agent.id);
        if (known) Object.assign(known, message.agent);
        break;
      }
      case "board_figures":
        this.figures = message.figures ?? {};
        break;
      default:
        return false;
    }
    this.dispatchEvent(new CustomEvent("change", { detail: message }));
    return true;
  }

  /** Now on the server's clock (the times of calls are Asterisk's). */
  now() {
    return Date.now() + this.clockOffset;
  }

  /** Callers waiting in the queue, longest wait first. */
  waiting() {
    return [...this.calls.values()]
      .filter((c) => c.direction === "inbound" && WAITING.has(c.state))
      .sort((a, b) => Date.parse(waitingSince(a)) - Date.parse(waitingSince(b)));
  }

  /** Calls with an agent on them (placed, ringing their phone, talking). */
  inProgress() {
    return [...this.calls.values()].filter((c) => !(c.direction === "inbound" && WAITING.has(c.state)))
      .sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  }

  callOf(agentId) {
    for (const call of this.calls.values()) if (call.agent_id === agentId) return call;
    return null;
  }
}

/** When a caller began to wait in the queue (their arrival, before the IVR, if unknown). */
export function waitingSince(call) {
  return call.queued_at ?? call.started_at;
}
