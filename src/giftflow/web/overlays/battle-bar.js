// The room's battle: each side's score as a share of a split bar, the time left, a
// booster badge while one runs, and the winner (or a draw) at the end. Time left is
// counted from the event's own clock (ends_at - at) and then by this machine's, so a
// clock that differs from the server's does not matter.
import { coins, connect, element } from "./overlay.js";

const NS_PER_MS = 1e6;
const TICK_MS = 250;
const bar = document.getElementById("battle");
let battle = null;

function remainingMs(untilNs) {
  if (battle === null) return 0;
  const elapsedMs = performance.now() - battle.receivedMs;
  return Math.max(0, (untilNs - battle.atNs) / NS_PER_MS - elapsedMs);
}

function clock(ms) {
  const seconds = Math.ceil(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function sideNode(side, total) {
  const node = element("div", "side");
  node.dataset.sessionId = side.session_id;
  node.style.flexGrow = total === 0 ? "1" : String(side.score);
  node.append(element("span", "score", coins(side.score)));
  const boosted = side.booster && !battle.ended && remainingMs(side.booster.ends_at) > 0;
  if (boosted) node.append(element("span", "booster", `x${side.booster.multiplier} boost`));
  if (battle.ended && battle.winner === side.session_id) {
    node.classList.add("winner");
    node.append(element("span", "result", "Winner"));
  }
  return node;
}

function render() {
  bar.hidden = battle === null;
  if (battle === null) return;
  const total = battle.sides.reduce((sum, side) => sum + side.score, 0);
  bar.querySelector(".sides").replaceChildren(...battle.sides.map((s) => sideNode(s, total)));
  bar.dataset.state = battle.ended ? (battle.draw ? "draw" : "ended") : "running";
  const status = bar.querySelector(".status");
  if (!battle.ended) status.textContent = clock(remainingMs(battle.endsAtNs));
  else status.textContent = battle.draw ? "Draw" : "Battle over";
}

function update(data, event, changes = {}) {
  if (battle !== null && battle.id !== data.battle_id && event.type !== "battle.started") return;
  const same = battle !== null && battle.id === data.battle_id;
  battle = {
    id: data.battle_id,
    sides: data.sides,
    endsAtNs: data.ends_at ?? (same ? battle.endsAtNs : event.at),
    atNs: event.at,
    receivedMs: performance.now(),
    ended: same ? battle.ended : false,
    winner: null,
    draw: false,
    ...changes,
  };
  render();
}

function onEnded(data, event) {
  update(data, event, { ended: true, winner: data.winner_session_id, draw: data.draw });
}

function reset() {
  battle = null;
  render();
}

// The newest battle as the state has it, timed by the state's clock like an event.
function load(state) {
  const data = state.battle;
  if (data === null) return;
  const event = { type: "battle.started", at: state.at, data };
  if (data.ended_at === null) update(data, event);
  else update(data, event, { ended: true, winner: data.winner_session_id, draw: data.draw });
}

bar.replaceChildren(element("div", "sides"), element("div", "status"));
render();
setInterval(() => battle && !battle.ended && render(), TICK_MS);
connect({
  handlers: {
    "battle.started": update,
    "battle.score": update,
    "battle.booster": update,
    "battle.ended": onEnded,
  },
  reset,
  load,
});
