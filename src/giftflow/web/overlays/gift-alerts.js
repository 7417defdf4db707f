// Gift alerts: who sent what, and how many ("x7"). A burst does not queue up into
// minutes of lag (docs/decisions/0061):
// - gifts of the same sender and gift merge into one alert while it shows or waits:
//   a streak's events (its count follows repeat_count) and quick repeats (their
//   quantities add up);
// - at most `queue_max` alerts wait; past that the smallest (fewest coins, then the
//   oldest) is dropped, and <body data-alerts-dropped> counts them;
// - the more alerts wait, the shorter each shows: show_ms / (1 + waiting), never
//   under `min_ms` (nor over show_ms).
import { connect, element, giftNames, userLabel } from "./overlay.js";
import { OVERLAYS, readOptions } from "./options.js";
import { loadTexts } from "./texts.js";

const options = readOptions(OVERLAYS["gift-alerts"]);
const stage = document.getElementById("alerts");
const queue = [];
let current = null;
let hideTimer = 0;
let dropped = 0;
let names = new Map();
let texts = null;
const chime = options.sound === "on" ? new Audio("sounds/chime.wav") : null;
if (chime !== null) chime.volume = options.volume / 100;

function keyOf(data) {
  return `${data.sender_id}:${data.gift_id}`;
}

function newAlert(data) {
  return {
    key: keyOf(data),
    senderId: data.sender_id,
    senderName: data.sender_name,
    giftId: data.gift_id,
    streaks: new Map(), // streak_id -> its repeat_count so far
    single: 0, // gifts of one-off events
    events: new Set(), // gift_event_ids counted (a replayed event counts once)
    coins: 0,
    count: 0,
    shownAt: 0,
    updatedAt: 0,
  };
}

function add(alert, data) {
  if (alert.events.has(data.gift_event_id)) return;
  alert.events.add(data.gift_event_id);
  alert.coins += data.coins;
  if (data.streak_id === null || data.streak_id === undefined) alert.single += data.repeat_count;
  else alert.streaks.set(data.streak_id, Math.max(alert.streaks.get(data.streak_id) || 0, data.repeat_count));
  alert.count = alert.single + [...alert.streaks.values()].reduce((sum, n) => sum + n, 0);
  alert.updatedAt = performance.now();
}

function render(alert) {
  const node = element("div", "alert");
  node.dataset.key = alert.key;
  node.dataset.coins = alert.coins;
  node.append(
    element("span", "sender", userLabel(texts, alert.senderId, alert.senderName)),
    element("span", "verb", texts.t("sent")),
    element("span", "gift", names.get(alert.giftId) || texts.t("gift #{id}", { id: alert.giftId })),
    element("span", "combo", `x${texts.number(alert.count)}`),
  );
  stage.replaceChildren(node);
}

function showMs() {
  const floor = Math.min(options.min_ms, options.show_ms);
  return Math.max(floor, Math.round(options.show_ms / (1 + queue.length)));
}

// The current alert goes when it has shown showMs() since it appeared or last grew.
function schedule() {
  clearTimeout(hideTimer);
  if (current === null) return;
  const since = Math.max(current.shownAt, current.updatedAt);
  hideTimer = setTimeout(next, Math.max(0, since + showMs() - performance.now()));
}

function ring(alert) {
  if (chime === null || alert.coins < options.sound_min_coins) return;
  chime.currentTime = 0;
  const body = document.body.dataset;
  chime.play().then(
    () => (body.soundsPlayed = String(Number(body.soundsPlayed || 0) + 1)),
    () => (body.soundsBlocked = String(Number(body.soundsBlocked || 0) + 1)), // autoplay policy
  );
}

function next() {
  current = queue.shift() || null;
  document.body.dataset.alertsWaiting = String(queue.length);
  if (current === null) {
    stage.replaceChildren();
    return;
  }
  current.shownAt = performance.now();
  render(current);
  ring(current);
  schedule();
}

function drop() {
  let smallest = 0;
  queue.forEach((alert, index) => {
    if (alert.coins < queue[smallest].coins) smallest = index;
  });
  queue.splice(smallest, 1);
  document.body.dataset.alertsDropped = String(++dropped);
}

function onGift(data) {
  const key = keyOf(data);
  if (current !== null && current.key === key) {
    add(current, data);
    render(current); // an alert that goes on stays on screen
    schedule();
    return;
  }
  const waiting = queue.find((alert) => alert.key === key);
  if (waiting) {
    add(waiting, data);
    return;
  }
  const alert = newAlert(data);
  add(alert, data);
  if (current === null) {
    queue.push(alert);
    next();
    return;
  }
  queue.push(alert);
  if (queue.length > options.queue_max) drop();
  document.body.dataset.alertsWaiting = String(queue.length);
  schedule(); // more waiting: the one on screen goes sooner
}

function reset() {
  queue.length = 0;
  current = null;
  clearTimeout(hideTimer);
  stage.replaceChildren();
}

[texts, names] = await Promise.all([loadTexts(options.lang), giftNames()]);
connect({ handlers: { "gift.sent": onGift }, reset });
