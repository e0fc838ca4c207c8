// The room's websocket as the page needs it: it survives network drops by itself.
//
// After a drop it reconnects with exponential backoff and jitter, asking for `?since=<last seq
// seen>` so the server replays what was missed. The page draws each seq once, so an event seen
// twice (a replay racing a live frame, an acknowledgement resent) changes nothing.
// Chat messages and questions are kept until the server echoes their `client_id` and are resent,
// with the same `client_id`, after every reconnect: the server creates nothing twice.

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
const PING_EVERY_MS = 20000;
const SILENCE_LIMIT_MS = 10000;
const HANDSHAKE_LIMIT_MS = 15000;
const RETRY_LATER_MS = 3000;
// Closing codes after which reconnecting cannot help.
// 4429: this person already has the room open in as many sockets as the server allows.
const FINAL_CLOSES = { 4401: "signed_out", 4403: "forbidden", 4404: "not_found", 4429: "too_many_sockets" };
const ACKNOWLEDGED_BY = { "chat.send": "chat.message", "question.ask": "question.created" };

export function backoffDelay(attempt) {
  // "Equal jitter": never less than half the exponential step, so a flock of clients that
  // dropped together spreads out but nobody hammers the server in a tight loop.
  const step = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return step / 2 + Math.random() * (step / 2);
}

export class RoomSocket {
  /**
   * @param {string} path  the room's websocket path, e.g. /ws/summits/s/rooms/r/
   * @param {object} handlers  onState(state, {resumed}), onEvent(frame),
   *   onStatus(status, detail), onError(frame, pendingFrame|null)
   */
  constructor(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.lastSeq = null;
    this.pending = new Map(); // client_id -> frame, in the order they were written
    this.attempt = 0;
    this.ws = null;
    this.live = false;
    this.stopped = false;
    this.timers = {};
    window.addEventListener("online", () => this.reconnectNow());
    window.addEventListener("offline", () => this.drop());
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const since = this.lastSeq === null ? "" : `?since=${encodeURIComponent(this.lastSeq)}`;
    return `${scheme}//${location.host}${this.path}${since}`;
  }

  connect() {
    this.clearTimer("reconnect");
    if (this.stopped) return;
    this.status(this.lastSeq === null && this.attempt === 0 ? "connecting" : "reconnecting");
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (message) => this.receive(message.data);
    ws.onclose = (event) => this.closed(event.code);
    // A server that accepts but never says anything is as good as gone.
    this.setTimer("silence", HANDSHAKE_LIMIT_MS, () => this.drop());
  }

  /** Sends a frame now if the room is live; chat and questions are also kept until acknowledged. */
  send(frame) {
    if (ACKNOWLEDGED_BY[frame.type]) {
      frame.client_id ||= crypto.randomUUID();
      this.pending.set(frame.client_id, frame);
    }
    return this.transmit(frame);
  }

  transmit(frame) {
    if (!this.live || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    this.heard();
    if (frame.type === "room.state") {
      const resumed = this.lastSeq !== null;
      // On a first connection the snapshot stands for everything up to last_seq. On a resume
      // the replay that follows brings the missed events; the cursor moves only as they arrive,
      // so a drop in the middle of a replay resumes where it stopped.
      if (!resumed) this.lastSeq = frame.last_seq ?? 0;
      this.live = true;
      this.attempt = 0;
      this.status("live");
      this.handlers.onState(frame, { resumed });
      for (const pendingFrame of this.pending.values()) this.transmit(pendingFrame);
      return;
    }
    if (frame.type === "pong") return;
    if (frame.type === "error") {
      this.failed(frame);
      return;
    }
    if (typeof frame.seq === "number" && (this.lastSeq === null || frame.seq > this.lastSeq)) {
      this.lastSeq = frame.seq;
    }
    const acknowledged = frame.client_id && this.pending.get(frame.client_id);
    if (acknowledged && ACKNOWLEDGED_BY[acknowledged.type] === frame.type) this.pending.delete(frame.client_id);
    this.handlers.onEvent(frame);
  }

  failed(frame) {
    const pendingFrame = frame.client_id ? this.pending.get(frame.client_id) ?? null : null;
    if (pendingFrame) {
      if (frame.code === "unavailable" || frame.code === "rate_limited") {
        // Kept: the same client_id is sent again shortly, and again after any reconnect.
        this.setTimer(`retry-${frame.client_id}`, RETRY_LATER_MS, () => {
          if (this.pending.has(frame.client_id)) this.transmit(pendingFrame);
        });
      } else {
        this.pending.delete(frame.client_id);
      }
    }
    this.handlers.onError(frame, pendingFrame);
  }

  closed(code) {
    this.ws = null;
    this.live = false;
    this.clearTimer("silence");
    if (FINAL_CLOSES[code]) {
      this.stopped = true;
      this.status(FINAL_CLOSES[code]);
      return;
    }
    this.scheduleReconnect();
  }

  /** Gives up on the current socket at once: used when the network is known to be gone or silent. */
  drop() {
    const ws = this.ws;
    if (!ws) return;
    ws.onmessage = null;
    ws.onclose = null;
    try {
      ws.close(4000, "client drop");
    } catch {
      // Already closing: nothing more to do with it.
    }
    this.closed(1006);
  }

  reconnectNow() {
    if (this.stopped || this.live) return;
    this.attempt = 0;
    this.drop();
    this.connect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.status("reconnecting", { delay });
    this.setTimer("reconnect", delay, () => this.connect());
  }

  /** Any frame proves the socket alive; a ping that stays unanswered means it is not. */
  heard() {
    this.clearTimer("silence");
    this.setTimer("ping", PING_EVERY_MS, () => {
      if (!this.transmit({ type: "ping" })) return;
      this.setTimer("silence", SILENCE_LIMIT_MS, () => this.drop());
    });
  }

  status(status, detail = {}) {
    this.handlers.onStatus(status, detail);
  }

  setTimer(name, delay, callback) {
    this.clearTimer(name);
    this.timers[name] = setTimeout(() => {
      delete this.timers[name];
      callback();
    }, delay);
  }

  clearTimer(name) {
    clearTimeout(this.timers[name]);
    delete this.timers[name];
  }
}
