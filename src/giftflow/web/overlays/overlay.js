// What every overlay shares: the room from the page's URL, the room's state over HTTP,
// the room's WebSocket with resume and resync (docs/events.md), and dispatch of events
// by type.
//
//   connect({ handlers: { "gift.sent": (data, event) => ... }, reset, load })
//
// `load(state)` (overlays that show state: goal, leaderboard, battle) is given the
// room's state from GET /v1/rooms/{room}/overlay-state on each page load and after
// each resync, and the WebSocket then resumes right after the newest event that state
// counts: no gap, no replay of the whole buffer. Without `load` (alerts) the page
// starts from the last event this tab handled, or live. The page's <body> tells how
// it goes: data-connection (connecting, open, closed, refused), data-last-event-id and
// data-resyncs (how many times the server could not resume).

const RETRY_MS_FIRST = 500;
const RETRY_MS_MAX = 10000;
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_FORBIDDEN = 4403;
const CLOSE_RESYNC = 4409;
const BEFORE_FIRST_EVENT = "00000000000000000000";

export const params = new URLSearchParams(location.search);

// The room id: the `room` parameter, else the token's `room` claim. The payload is
// only read, not verified: the server checks the token.
export function roomOf(query) {
  const room = query.get("room");
  if (room !== null) return /^[0-9]+$/.test(room) ? Number(room) : null;
  const payload = (query.get("token") || "").split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "=")));
    return Number.isInteger(claims.room) ? claims.room : null;
  } catch {
    return null;
  }
}

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage can be switched off; memory is enough then
  }
}

function socketUrl(roomId, token, lastEventId) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = new URLSearchParams({ token: token || "" });
  if (lastEventId) query.set("last_event_id", lastEventId);
  return `${scheme}//${location.host}/v1/rooms/${roomId}/events?${query}`;
}

function show(state, lastEventId) {
  document.body.dataset.connection = state;
  if (lastEventId) document.body.dataset.lastEventId = lastEventId;
}

function stateUrl(roomId, token, statePath) {
  return `/v1/rooms/${roomId}/${statePath}?${new URLSearchParams({ token })}`;
}

// The room's state, or null when the token is refused; retries other failures.
async function fetchState(roomId, token, statePath) {
  for (let retryMs = RETRY_MS_FIRST; ; retryMs = Math.min(retryMs * 2, RETRY_MS_MAX)) {
    try {
      const answer = await fetch(stateUrl(roomId, token, statePath), { cache: "no-store" });
      if (answer.status === 401 || answer.status === 403) return null;
      if (answer.ok) return await answer.json();
    } catch {
      // the server is unreachable for now: try again
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

// `statePath` names the state route under /v1/rooms/{room}/ (the countdown reads its own).
export function connect({ handlers, reset = () => {}, load = null, statePath = "overlay-state" }) {
  const roomId = roomOf(params);
  const token = params.get("token");
  if (roomId === null || !token) {
    show("refused");
    console.error("overlay: add ?token=<room token> to the URL (see docs/overlays.md)");
    return;
  }
  const store = load === null ? storage() : null; // a page with state reloads it instead
  const key = `giftflow:${location.pathname}:${roomId}:last_event_id`;
  let lastEventId = store?.getItem(key) || null;
  let retryMs = RETRY_MS_FIRST;
  let resyncs = 0;

  function handle(frame) {
    const event = JSON.parse(frame);
    if (event.type === "resync") return true;
    lastEventId = event.id;
    store?.setItem(key, event.id);
    const handler = handlers[event.type];
    if (handler) handler(event.data, event); // types it does not know it ignores
    show("open", event.id);
    return false;
  }

  // The state first, then the events after the newest one it counts (from the
  // room's first event when it counts none, so nothing published meanwhile is lost).
  async function start() {
    if (load !== null) {
      show("connecting");
      const state = await fetchState(roomId, token, statePath);
      if (state === null) {
        show("refused"); // a new token is needed: retrying cannot help
        return;
      }
      reset();
      load(state);
      lastEventId = state.last_event_id || BEFORE_FIRST_EVENT;
      show("connecting", lastEventId);
    }
    open();
  }

  function open() {
    show("connecting");
    const socket = new WebSocket(socketUrl(roomId, token, lastEventId));
    let resync = false;
    socket.onopen = () => {
      retryMs = RETRY_MS_FIRST;
      show("open");
    };
    socket.onmessage = (message) => {
      resync = handle(message.data) || resync;
    };
    socket.onclose = (close) => {
      if (close.code === CLOSE_UNAUTHENTICATED || close.code === CLOSE_FORBIDDEN) {
        show("refused"); // a new token is needed: retrying cannot help
        return;
      }
      show("closed");
      if (resync || close.code === CLOSE_RESYNC) {
        // The server cannot resume without a gap: reload the state, or go on live.
        document.body.dataset.resyncs = String(++resyncs);
        reset();
        lastEventId = null;
        store?.removeItem(key);
        setTimeout(start, 0);
        return;
      }
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MS_MAX);
    };
  }

  start();
}

// Names of the catalog's gifts by id (events carry ids); an empty map if unavailable.
export async function giftNames() {
  try {
    const answer = await fetch("gifts.json", { cache: "no-cache" });
    return new Map(Object.entries((await answer.json()).gifts).map(([id, n]) => [Number(id), n]));
  } catch {
    return new Map();
  }
}

// A user as the overlays show one: their display name (events and the state carry
// it next to the id), or their id where no name came.
export function userLabel(texts, userId, name) {
  return name ? name : texts.t("User #{id}", { id: userId });
}

export function element(tag, className, text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = text;
  return node;
}

// A time left as a clock: "01:59:58", with the days in front past a day ("3d 00:10:00",
// in the page's language: `texts` from loadTexts). Seconds are rounded up, so it shows
// 00:00:00 only once the time is over.
export function clockText(ms, texts) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n) => String(n).padStart(2, "0");
  const clock = `${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
  return days > 0 ? texts.t("{days}d {clock}", { days: texts.number(days), clock }) : clock;
}
