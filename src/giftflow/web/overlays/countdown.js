// The room's next scheduled LIVE: its title and the time left to its start, then
// "Starting soon" once the start has passed, "LIVE now" while the session that took it
// up runs; hidden when nothing is scheduled. The time left is counted from the
// server's clock (the state's `at`, each event's `at`) and then by this machine's, so
// a difference between the two clocks does not matter.
import { clockText as left, connect, element } from "./overlay.js";
import { OVERLAYS, readOptions } from "./options.js";

readOptions(OVERLAYS.countdown); // the look and place every overlay takes

const panel = document.getElementById("countdown");
let schedule = null;
let serverOffsetMs = 0; // server time - local time, from the last state or event

function now() {
  return Date.now() + serverOffsetMs;
}

function clockFrom(atNs) {
  serverOffsetMs = Math.floor(atNs / 1e6) - Date.now();
}

function render() {
  panel.hidden = schedule === null;
  if (schedule === null) return;
  const msLeft = Math.floor(schedule.starts_at / 1e6) - now();
  let shown = schedule.state;
  if (schedule.state === "scheduled") shown = msLeft > 0 ? "counting" : "soon";
  panel.dataset.state = shown;
  panel.dataset.schedule = schedule.schedule_id;
  panel.querySelector(".title").textContent = schedule.title;
  const text = { counting: left(msLeft), soon: "Starting soon", live: "LIVE now" }[shown];
  panel.querySelector(".left").textContent = text ?? "";
}

function onSchedule(data, event) {
  clockFrom(event.at);
  const ended = ["cancelled", "missed", "done"].includes(data.state);
  if (ended) {
    if (schedule !== null && schedule.schedule_id === data.schedule_id) schedule = null;
  } else if (
    schedule === null ||
    data.state === "live" ||
    schedule.schedule_id === data.schedule_id ||
    (schedule.state === "scheduled" && data.starts_at < schedule.starts_at)
  ) {
    schedule = data;
  }
  render();
}

function onSessionEnded(data) {
  if (schedule !== null && schedule.session_id === data.session_id) schedule = null;
  render();
}

function load(state) {
  clockFrom(state.at);
  schedule = state.schedule;
  render();
}

panel.replaceChildren(element("div", "title"), element("div", "left"));
setInterval(render, 250);
connect({
  handlers: {
    "schedule.created": onSchedule,
    "schedule.updated": onSchedule,
    "schedule.started": onSchedule,
    "schedule.cancelled": onSchedule,
    "schedule.missed": onSchedule,
    "session.ended": onSessionEnded,
  },
  reset: () => {
    schedule = null;
    render();
  },
  load,
  statePath: "countdown",
});
