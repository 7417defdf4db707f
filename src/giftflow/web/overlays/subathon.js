// The room's subathon timer: the time left, counted down, "Paused" while paused (the
// time then stands still), "Subathon over" once its time is used up or the creator
// ended it; each gift that adds time shows "+time from name" for a moment. Hidden
// while the room has no subathon. The end comes from the server (the state's and each
// event's `ends_at`, the server's clock in `at`), so the two machines' clocks may differ.
//
//   added=on|off    show what each gift added (default on)
//   added_ms=4000   how long it shows (500 to 60000)
//   ended=show|hide what an ended timer does (default show: "Subathon over")
import { clockText, connect, element, userLabel } from "./overlay.js";
import { integer, oneOf, readOptions } from "./options.js";
import { loadTexts } from "./texts.js";

const options = readOptions({
  added: oneOf(["on", "off"], "on"),
  added_ms: integer(500, 60000, 4000),
  ended: oneOf(["show", "hide"], "show"),
});
const panel = document.getElementById("subathon");
let timer = null; // { subathon_id, state, ends_at, remaining_ns, paused }
let serverOffsetMs = 0; // server time - local time, from the last state or event
let texts = null;
let addedUntil = 0;

function now() {
  return Date.now() + serverOffsetMs;
}

function clockFrom(atNs) {
  serverOffsetMs = Math.floor(atNs / 1e6) - Date.now();
}

function msLeft() {
  if (timer.state === "ended") return 0;
  if (timer.paused) return Math.floor(timer.remaining_ns / 1e6);
  return Math.max(0, Math.floor(timer.ends_at / 1e6) - now());
}

function render() {
  const hidden = timer === null || texts === null;
  const left = hidden ? 0 : msLeft();
  const state = hidden ? "none" : timer.paused && timer.state !== "ended" ? "paused" : left > 0 ? "running" : "ended";
  panel.hidden = hidden || (state === "ended" && options.ended === "hide");
  if (hidden) return;
  panel.dataset.state = state;
  panel.dataset.subathon = timer.subathon_id;
  const label = { running: texts.t("Subathon"), paused: texts.t("Paused"), ended: texts.t("Subathon over") };
  panel.querySelector(".label").textContent = label[state];
  panel.querySelector(".left").textContent = clockText(left, texts);
  const added = panel.querySelector(".added");
  added.hidden = Date.now() >= addedUntil;
}

function onTimer(data, event) {
  clockFrom(event.at);
  timer = data;
  render();
}

function onExtended(data, event) {
  onTimer(data, event);
  if (options.added === "off" || data.gift_added_ns <= 0) return;
  const time = clockText(data.gift_added_ns / 1e6, texts).replace(/^00:(?=\d\d:)/, "");
  const name = userLabel(texts, data.sender_id, data.sender_name);
  panel.querySelector(".added").textContent = texts.t("+{time} from {name}", { time, name });
  addedUntil = Date.now() + options.added_ms;
  render();
}

function load(state) {
  clockFrom(state.at);
  timer = state.subathon;
  render();
}

panel.replaceChildren(element("div", "label"), element("div", "left"), element("div", "added"));
texts = await loadTexts(options.lang);
setInterval(render, 250);
connect({
  handlers: {
    "subathon.started": onTimer,
    "subathon.paused": onTimer,
    "subathon.resumed": onTimer,
    "subathon.updated": onTimer,
    "subathon.ended": onTimer,
    "subathon.extended": onExtended,
  },
  reset: () => {
    timer = null;
    render();
  },
  load,
  statePath: "subathon-state",
});
