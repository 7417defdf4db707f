// One alert per gift, queued, each shown for a few seconds. A streak (combo) is one
// alert whose count follows the streak's repeat_count ("x7"), not one per event.
import { connect, element, giftNames, params, userLabel } from "./overlay.js";

const SHOW_MS = Number(params.get("show_ms")) || 4000;
const stage = document.getElementById("alerts");
const queue = [];
let current = null;
let hideTimer = 0;
let names = new Map();

function keyOf(data) {
  return data.streak_id === null || data.streak_id === undefined
    ? `event:${data.gift_event_id}`
    : `streak:${data.sender_id}:${data.streak_id}`;
}

function render(alert) {
  const node = element("div", "alert");
  node.dataset.key = alert.key;
  node.append(
    element("span", "sender", alert.senderName || userLabel(alert.senderId)),
    element("span", "verb", "sent"),
    element("span", "gift", names.get(alert.giftId) || `gift #${alert.giftId}`),
    element("span", "combo", `x${alert.count}`),
  );
  stage.replaceChildren(node);
}

function next() {
  current = queue.shift() || null;
  if (current === null) {
    stage.replaceChildren();
    return;
  }
  render(current);
  hideTimer = setTimeout(next, SHOW_MS);
}

function onGift(data) {
  const key = keyOf(data);
  if (current && current.key === key) {
    current.count = Math.max(current.count, data.repeat_count);
    render(current);
    clearTimeout(hideTimer); // a combo that goes on stays on screen
    hideTimer = setTimeout(next, SHOW_MS);
    return;
  }
  const queued = queue.find((alert) => alert.key === key);
  if (queued) {
    queued.count = Math.max(queued.count, data.repeat_count);
    return;
  }
  queue.push({
    key,
    senderId: data.sender_id,
    senderName: data.sender_name,
    giftId: data.gift_id,
    count: data.repeat_count,
  });
  if (current === null) next();
}

function reset() {
  queue.length = 0;
  clearTimeout(hideTimer);
  next();
}

names = await giftNames();
connect({ handlers: { "gift.sent": onGift }, reset });
