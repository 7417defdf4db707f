// The room's next scheduled LIVE: its title and the time left to its start, then
// "Starting soon" once the start has passed, "LIVE now" while the session that took it
// up runs, in the page's language (`lang`, texts from texts.json); hidden when nothing
// is scheduled. The time left is counted from the server's clock (the state's `at`,
// each event's `at`) and then by this machine's, so a difference between the two
// clocks does not matter.
import { clockText, connect, element } from "./overlay.js";
import { OVERLAYS, readOptions } from "./options.js";
import { loadTexts } from "./texts.js";

const options = readOptions(OVERLAYS.countdown); // the look, place and language of all

const panel = document.getElementById("countdown");
let schedule = null;
let serverOffsetMs = 0; // server time - local time, from the last state or event
let texts = null;

function now() {
  return Date.now() + serverOffsetMs;
}

function clockFrom(atNs) {
  serverOffsetMs = Math.floor(atNs / 1e6) - Date.now();
}

function render() {
  panel.hidden = schedule === null || texts === null;
  if (panel.hidden) return;
  const msLeft = Math.floor(schedule.starts_at / 1e6) - now();
  let shown = schedule.state;
  if (schedule.state === "scheduled") shown = msLeft > 0 ? "counting" : "soon";
  panel.dataset.state = shown;
  panel.dataset.schedule = schedule.schedule_id;
  panel.querySelector(".title").textContent = schedule.title;
  const text = {
    counting: clockText(msLeft, texts),
    soon: texts.t("Starting soon"),
    live: texts.t("LIVE now"),
  }[shown];
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
texts = await loadTexts(options.lang);
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
