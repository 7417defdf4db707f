// The room's active goal: the newest open one, else the newest (shown completed or
// expired). Events carry the goal's absolute progress, as the room's state does.
import { coins, connect, element, giftNames } from "./overlay.js";

const bar = document.getElementById("goal");
const goals = new Map();
let names = new Map();

function shown() {
  const all = [...goals.values()].sort((a, b) => b.goal_id - a.goal_id);
  return all.find((goal) => goal.state === "open") || all[0] || null;
}

function targetText(goal) {
  if (goal.kind === "gift_count") {
    return `${coins(goal.target)} × ${names.get(goal.gift_id) || `gift #${goal.gift_id}`}`;
  }
  return `${coins(goal.target)} coins`;
}

function render() {
  const goal = shown();
  bar.hidden = goal === null;
  if (goal === null) return;
  const percent = Math.min(100, Math.floor((goal.progress * 100) / goal.target));
  bar.dataset.state = goal.state;
  bar.querySelector(".promise").textContent = goal.promise;
  bar.querySelector(".fill").style.width = `${percent}%`;
  bar.querySelector(".percent").textContent = `${percent}%`;
  bar.querySelector(".amounts").textContent = `${coins(goal.progress)} / ${targetText(goal)}`;
  const badge = { open: "", completed: "Completed!", expired: "Expired" }[goal.state];
  bar.querySelector(".state").textContent = badge ?? goal.state;
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

bar.replaceChildren(
  element("div", "promise"),
  element("div", "track"),
  element("div", "line"),
);
bar.querySelector(".track").append(element("div", "fill"));
bar.querySelector(".line").append(
  element("span", "amounts"),
  element("span", "percent"),
  element("span", "state"),
);
names = await giftNames();
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
