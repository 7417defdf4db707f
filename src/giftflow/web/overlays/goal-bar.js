// The session's goals, one bar each, in the order they were set (or in the order the
// `goals` option names them). Events carry a goal's absolute progress, as the room's
// state does.
//
//   goals=all     every goal of the live session, open, completed or expired (default)
//   goals=open    only the goals still open: a completed goal leaves the bar
//   goals=12,15   those goals, in that order
import { connect, element, giftNames } from "./overlay.js";
import { OVERLAYS, readOptions } from "./options.js";
import { loadTexts } from "./texts.js";

const options = readOptions(OVERLAYS["goal-bar"]);
const picked = /^[0-9]/.test(options.goals) ? options.goals.split(",").map(Number) : null;
const list = document.getElementById("goals");
const goals = new Map();
let names = new Map();
let texts = null;

function shown() {
  if (picked !== null) return picked.map((id) => goals.get(id)).filter((goal) => goal);
  const all = [...goals.values()].sort((a, b) => a.goal_id - b.goal_id);
  return options.goals === "open" ? all.filter((goal) => goal.state === "open") : all;
}

function targetText(goal) {
  const count = texts.number(goal.target);
  if (goal.kind === "gift_count") {
    const gift = names.get(goal.gift_id) || texts.t("gift #{id}", { id: goal.gift_id });
    return texts.t("{count} × {gift}", { count, gift });
  }
  return texts.t("{count} coins", { count });
}

// One node per goal, kept across renders, so the fill's width transition runs.
function goalNode(goalId) {
  let node = list.querySelector(`:scope > .goal[data-goal-id="${goalId}"]`);
  if (node !== null) return node;
  node = element("div", "goal");
  node.dataset.goalId = goalId;
  const track = element("div", "track");
  track.append(element("div", "fill"));
  const line = element("div", "line");
  line.append(element("span", "amounts"), element("span", "percent"), element("span", "state"));
  node.append(element("div", "promise"), track, line);
  return node;
}

function renderGoal(goal) {
  const node = goalNode(goal.goal_id);
  const percent = Math.min(100, Math.floor((goal.progress * 100) / goal.target));
  node.dataset.state = goal.state;
  node.querySelector(".promise").textContent = goal.promise;
  node.querySelector(".fill").style.width = `${percent}%`;
  node.querySelector(".percent").textContent = `${percent}%`;
  node.querySelector(".amounts").textContent = `${texts.number(goal.progress)} / ${targetText(goal)}`;
  const badge = { open: "", completed: texts.t("Completed!"), expired: texts.t("Expired") }[goal.state];
  node.querySelector(".state").textContent = badge ?? goal.state;
  return node;
}

function render() {
  const nodes = shown().map(renderGoal);
  const inPlace = nodes.length === list.children.length && nodes.every((n, i) => list.children[i] === n);
  if (!inPlace) list.replaceChildren(...nodes);
  list.hidden = nodes.length === 0;
  list.dataset.count = String(nodes.length);
}

function onGoal(data) {
  goals.set(data.goal_id, data);
  render();
}

function onSessionStarted() {
  goals.clear();
  render();
}

function onSessionEnded(data) {
  for (const goalId of data.goals_expired || []) {
    const goal = goals.get(goalId);
    if (goal) goals.set(goalId, { ...goal, state: "expired" });
  }
  render();
}

function load(state) {
  for (const goal of state.goals) goals.set(goal.goal_id, goal);
  render();
}

[texts, names] = await Promise.all([loadTexts(options.lang), giftNames()]);
render();
connect({
  handlers: {
    "goal.created": onGoal,
    "goal.progress": onGoal,
    "goal.completed": onGoal,
    "session.started": onSessionStarted,
    "session.ended": onSessionEnded,
  },
  reset: onSessionStarted,
  load,
});
