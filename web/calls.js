// The calls this console has seen, kept while it is open: a follow-up opened again (or
// after a reconnect) shows its call where it is, with the states seen so far.

// How far a call has got: a message that would move a call backwards is stale.
const STATE_RANK = {
  agent_ringing: 1, agent_answered: 2, customer_ringing: 3, answered: 4,
  busy: 5, no_answer: 5, unreachable: 5, failed: 5, agent_no_answer: 5, ended: 6,
};
// Fields a late message may still add without moving the state back.
const LATE_FIELDS = ["answered_at", "ended_at", "duration", "disposition", "recording"];

export class CallStore {
  constructor() {
    this.calls = new Map(); // id -> {call, timeline: [{state, at}]}
  }

  /** Take in a Call (from the API or a live message); the entry it now is. */
  apply(call) {
    let entry = this.calls.get(call.id);
    if (!entry) {
      entry = { call: { ...call }, timeline: [] };
      this.calls.set(call.id, entry);
    } else if ((STATE_RANK[call.state] ?? 0) < (STATE_RANK[entry.call.state] ?? 0)) {
      for (const key of LATE_FIELDS) {
        if (call[key] !== null && call[key] !== undefined) entry.call[key] = call[key];
      }
      return entry;
    } else {
      entry.call = { ...entry.call, ...call };
    }
    if (entry.timeline.at(-1)?.state !== call.state) {
      entry.timeline.push({ state: call.state, at: new Date() });
    }
    return entry;
  }

  /** The most recent call of a follow-up, if this console has seen one. */
  latestFor(followupId) {
    let latest = null;
    for (const entry of this.calls.values()) {
      if (entry.call.followup_id === followupId && (!latest || entry.call.id > latest.call.id)) {
        latest = entry;
      }
    }
    return latest;
  }

  clear() {
    this.calls.clear();
  }
}
