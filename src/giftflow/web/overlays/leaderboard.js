// The session's top supporters, in order, with coins. leaderboard.changed carries the
// whole ranking when the order changes; between two, gift.sent adds coins to a ranked
// sender (the order cannot have changed, or leaderboard.changed would follow).
import { connect, element, userLabel } from "./overlay.js";
import { OVERLAYS, readOptions } from "./options.js";
import { loadTexts } from "./texts.js";

const options = readOptions(OVERLAYS.leaderboard);
const list = document.getElementById("leaderboard");
let sessionId = null;
let top = [];
let texts = null;

function render() {
  list.replaceChildren(
    ...top.slice(0, options.rows).map((entry) => {
      const row = element("li", "supporter");
      row.dataset.userId = entry.user_id;
      row.append(
        element("span", "rank", texts.number(entry.rank)),
        element("span", "name", userLabel(texts, entry.user_id, entry.user_name)),
        element("span", "coins", texts.number(entry.coins)),
      );
      return row;
    }),
  );
}

function onLeaderboard(data) {
  sessionId = data.session_id;
  top = data.top.map((entry) => ({ ...entry }));
  render();
}

function onGift(data) {
  const entry = top.find((ranked) => ranked.user_id === data.sender_id);
  if (data.session_id !== sessionId || entry === undefined) return;
  entry.coins += data.coins;
  render();
}

function reset() {
  sessionId = null;
  top = [];
  render();
}

function load(state) {
  if (state.leaderboard !== null) onLeaderboard(state.leaderboard);
}

texts = await loadTexts(options.lang);
connect({
  handlers: {
    "leaderboard.changed": onLeaderboard,
    "gift.sent": onGift,
    "session.started": reset,
  },
  reset,
  load,
});
