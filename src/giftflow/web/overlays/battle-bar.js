// The room's battle: each side's score as a share of a split bar, the time left, a
// booster badge while one runs, and the winner (or a draw) at the end. Time left is
// counted from the event's own clock (ends_at - at) and then by this machine's, so a
// clock that differs from the server's does not matter.
import { connect, element, userLabel } from "./overlay.js";
import { OVERLAYS, readOptions } from "./options.js";
import { loadTexts } from "./texts.js";

const NS_PER_MS = 1e6;
const TICK_MS = 250;
const options = readOptions(OVERLAYS["battle-bar"]);
const bar = document.getElementById("battle");
let battle = null;
let texts = null;

function remainingMs(untilNs) {
  if (battle === null) return 0;
  const elapsedMs = performance.now() - battle.receivedMs;
  return Math.max(0, (untilNs - battle.atNs) / NS_PER_MS - elapsedMs);
}

function clock(ms) {
  const seconds = Math.ceil(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

// One node per side, kept across renders: a render changes what differs (width,
// score, badge, result) and never rebuilds the bar, so a viewer's browser keeps its
// transitions and nothing flickers on the clock's tick.
function sideNode(sides, sessionId) {
  let node = sides.querySelector(`:scope > .side[data-session-id="${sessionId}"]`);
  if (node === null) {
    node = element("div", "side");
    node.dataset.sessionId = sessionId;
    node.append(element("span", "name"), element("span", "score"));
  }
  return node;
}

function badge(node, className, text) {
  let child = node.querySelector(`:scope > .${className}`);
  if (text === null) {
    child?.remove();
    return;
  }
  if (child === null) node.append((child = element("span", className)));
  if (child.textContent !== text) child.textContent = text;
}

function renderSide(sides, side, total) {
  const node = sideNode(sides, side.session_id);
  const grow = total === 0 ? "1" : String(side.score);
  if (node.style.flexGrow !== grow) node.style.flexGrow = grow;
  const name = node.querySelector(":scope > .name");
  const label = userLabel(texts, side.creator_id, side.creator_name);
  if (name.textContent !== label) name.textContent = label;
  const score = node.querySelector(":scope > .score");
  const shown = texts.number(side.score);
  if (score.textContent !== shown) score.textContent = shown;
  const boosted = side.booster && !battle.ended && remainingMs(side.booster.ends_at) > 0;
  const multiplier = boosted ? texts.number(side.booster.multiplier) : null;
  badge(node, "booster", boosted ? texts.t("x{multiplier} boost", { multiplier }) : null);
  const won = battle.ended && battle.winner === side.session_id;
  node.classList.toggle("winner", won);
  badge(node, "result", won ? texts.t("Winner") : null);
  const mvp = battle.ended && side.mvps && side.mvps.length > 0 ? side.mvps[0] : null;
  const mvpName = mvp === null ? null : userLabel(texts, mvp.user_id, mvp.user_name);
  badge(node, "mvp", mvp === null ? null : texts.t("MVP {name}", { name: mvpName }));
  return node;
}

function render() {
  bar.hidden = battle === null;
  const sides = bar.querySelector(".sides");
  if (battle === null) {
    sides.replaceChildren();
    return;
  }
  const total = battle.sides.reduce((sum, side) => sum + side.score, 0);
  const nodes = battle.sides.map((side) => renderSide(sides, side, total));
  const inPlace = nodes.length === sides.children.length && nodes.every((n, i) => sides.children[i] === n);
  if (!inPlace) sides.replaceChildren(...nodes);
  bar.dataset.state = battle.ended ? (battle.draw ? "draw" : "ended") : "running";
  const status = bar.querySelector(".status");
  const over = battle.draw ? texts.t("Draw") : texts.t("Battle over");
  const text = !battle.ended ? clock(remainingMs(battle.endsAtNs)) : over;
  if (status.textContent !== text) status.textContent = text;
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

texts = await loadTexts(options.lang);
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
