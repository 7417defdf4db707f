// The overlay URL builder (/overlays/builder.html): pick an overlay and its room, set
// the options, see it live in the preview, copy the URL for the browser source.
//
// The form is drawn from the option definitions the overlays themselves read
// (options.js: COMMON and OVERLAYS), and every value is checked by the same `parse`:
// the builder cannot offer an option a page ignores, nor put a value in the URL that
// the page would refuse. A field left empty keeps the page's default and stays out of
// the URL. The builder's own URL may name `overlay`, `token` and `room` to start from
// (and `lang`, its own language). The page's <body> says what it built: data-url,
// data-invalid (fields whose value is not valid, left out) and data-copied.
import { COMMON, OVERLAYS, parseOptions } from "./options.js";
import { loadTexts } from "./texts.js";

const NAMES = {
  "gift-alerts": "Gift alerts",
  "goal-bar": "Goal bar",
  leaderboard: "Leaderboard",
  "battle-bar": "Battle bar",
  countdown: "Countdown",
};
// Every option of COMMON and OVERLAYS has a label (the test of the builder checks it).
export const LABELS = {
  token: "Room token",
  room: "Room id (empty: the token's room)",
  theme: "Theme",
  accent: "Accent colour",
  color: "Text colour",
  panel: "Panel colour",
  font: "Font",
  font_size: "Font size (px)",
  position: "Position",
  lang: "Language (en, fr)",
  show_ms: "Alert shown for (ms)",
  min_ms: "Shortest alert while others wait (ms)",
  queue_max: "Alerts waiting at most",
  sound: "Chime",
  sound_min_coins: "Chime from (coins)",
  volume: "Volume (%)",
  goals: "Goals (all, open, or ids: 12,15)",
  rows: "Rows",
};
const ROOM = ["token", "room"];
const params = new URLSearchParams(location.search);
const form = document.getElementById("builder");
const preview = document.getElementById("preview");
const output = document.getElementById("url");
let texts = null;
let overlay = OVERLAYS[params.get("overlay")] ? params.get("overlay") : "gift-alerts";

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function control(name, spec) {
  const id = `option-${name}`;
  if (spec.kind === "choice") {
    const fallback = texts.t("default ({value})", { value: spec.fallback });
    const choices = spec.values.map((value) => el("option", { value }, value));
    return el("select", { id, name }, el("option", { value: "" }, fallback), ...choices);
  }
  if (spec.kind === "integer") {
    const range = { min: String(spec.min), max: String(spec.max), step: "1" };
    return el("input", { id, name, type: "number", placeholder: String(spec.fallback), ...range });
  }
  const placeholder = spec.kind === "colour" ? "#rrggbb" : spec.fallback ?? "";
  return el("input", { id, name, type: "text", placeholder, spellcheck: "false" });
}

function field(name, spec) {
  const input = control(name, spec);
  const label = el("label", { for: input.id }, texts.t(LABELS[name]), el("code", {}, name));
  if (spec.kind !== "colour") return el("div", { class: "field" }, label, input);
  const picker = el("input", { type: "color", "aria-label": texts.t("Pick a colour") });
  picker.addEventListener("input", () => {
    input.value = picker.value;
    update();
  });
  input.addEventListener("input", () => {
    const hex = spec.parse(input.value.trim());
    if (hex !== undefined && hex.length === 7) picker.value = hex; // the picker knows #rrggbb only
  });
  return el("div", { class: "field" }, label, el("div", { class: "colour" }, input, picker));
}

function fill(fieldset, legend, entries) {
  const kept = new Map([...fieldset.querySelectorAll("[name]")].map((node) => [node.name, node.value]));
  fieldset.replaceChildren(el("legend", {}, texts.t(legend)));
  for (const [name, spec] of entries) {
    const node = field(name, spec);
    const input = node.querySelector("[name]");
    if (kept.has(name)) input.value = kept.get(name);
    fieldset.append(node);
  }
  if (entries.length === 0) fieldset.replaceChildren();
}

function draw() {
  const picker = el("select", { id: "overlay", name: "overlay" });
  for (const name of Object.keys(OVERLAYS)) picker.append(el("option", { value: name }, texts.t(NAMES[name])));
  picker.value = overlay;
  picker.addEventListener("change", () => {
    overlay = picker.value;
    fill(document.getElementById("own"), "This overlay's options", Object.entries(OVERLAYS[overlay]));
    update();
  });
  const room = document.getElementById("room");
  fill(room, "Overlay and room", ROOM.map((name) => [name, COMMON[name]]));
  const label = el("label", { for: "overlay" }, texts.t("Overlay"));
  room.querySelector("legend").after(el("div", { class: "field" }, label, picker));
  for (const name of ROOM) {
    if (params.has(name)) room.querySelector(`[name="${name}"]`).value = params.get(name);
  }
  const look = Object.entries(COMMON).filter(([name]) => !ROOM.includes(name));
  fill(document.getElementById("look"), "Look and place", look);
  fill(document.getElementById("own"), "This overlay's options", Object.entries(OVERLAYS[overlay]));
}

// The query the overlay gets: each valid value in form order, without `#` for colours.
function build() {
  const schema = { ...COMMON, ...OVERLAYS[overlay] };
  const query = new URLSearchParams();
  const invalid = [];
  for (const input of form.querySelectorAll("[name]")) {
    const spec = schema[input.name];
    const value = input.value.trim();
    const bad = spec !== undefined && value !== "" && spec.parse(value) === undefined;
    input.setAttribute("aria-invalid", String(bad));
    if (bad) invalid.push(input.name);
    else if (spec !== undefined && value !== "") query.set(input.name, value.replace(/^#/, ""));
  }
  return { query, invalid };
}

function update() {
  const { query, invalid } = build();
  // What the page will make of it: the same parser, so nothing the builder puts is refused.
  const refused = parseOptions(query, OVERLAYS[overlay]).invalid;
  if (refused.length > 0) throw new Error(`the builder built options the page refuses: ${refused}`);
  const url = `${location.origin}${location.pathname.replace(/[^/]*$/, "")}${overlay}.html?${query}`;
  output.value = url;
  document.body.dataset.url = url;
  document.body.dataset.invalid = invalid.join(",");
  document.getElementById("copied").textContent = invalid.length
    ? texts.t("Not valid, left out: {names}", { names: invalid.join(", ") })
    : "";
  // Without a token the overlay has no room to show (and says so on its console).
  const shown = query.has("token") ? url : "about:blank";
  document.getElementById("preview-hint").hidden = query.has("token");
  if (preview.getAttribute("src") !== shown) preview.setAttribute("src", shown);
}

async function copy() {
  try {
    await navigator.clipboard.writeText(output.value);
  } catch {
    output.select(); // no clipboard API (an insecure origin): the old way
    document.execCommand("copy");
  }
  document.body.dataset.copied = output.value;
  document.getElementById("copied").textContent = texts.t("Copied");
}

texts = await loadTexts(params.get("lang"));
document.title = `giftflow · ${texts.t("Overlay URL builder")}`;
document.getElementById("heading").textContent = texts.t("Overlay URL builder");
document.getElementById("url-label").textContent = texts.t("URL for the browser source");
document.getElementById("preview-heading").textContent = texts.t("Preview");
document.getElementById("preview-hint").textContent = texts.t("Set the room token to see the preview.");
document.getElementById("copy").textContent = texts.t("Copy");
document.getElementById("copy").addEventListener("click", copy);
draw();
form.addEventListener("input", update);
form.addEventListener("submit", (event) => event.preventDefault());
update();
document.body.dataset.ready = "true";
