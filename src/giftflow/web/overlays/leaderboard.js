// The session's top supporters, in order, with coins. leaderboard.changed carries the
// whole ranking when the order changes; between two, gift.sent adds coins to a ranked
// sender (the order cannot have changed, or leaderboard.changed would follow).
import { coins, connect, element, userLabel } from "./overlay.js";

const list = document.getElementById("leaderboard");
let sessionId = null;
let top = [];

function render() {
  list.replaceChildren(
    ...top.map((entry) => {
      const row = element("li", "supporter");
      row.dataset.userId = entry.user_id;
      row.append(
        element("span", "rank", `${entry.rank}`),
        element("span", "name", userLabel(entry.user_id)),
        element("span", "coins", coins(entry.coins)),
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

connect({
  handlers: {
    "leaderboard.changed": onLeaderboard,
    "gift.sent": onGift,
    "session.started": reset,
  },
  reset,
  load,
});
