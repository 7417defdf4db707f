// The overlay's URL options (docs/overlays.md, "The URL"), read and validated once.
//
//   const options = readOptions(OVERLAYS["gift-alerts"]);
//
// Every page takes the common options (look, place, language); each names its own
// on top, in OVERLAYS, which the URL builder (builder.html) draws its form from too: an
// option a page reads is an option the builder offers, checked by the same `parse`.
// Each option says what it is (`kind`: choice, integer, colour, text) for that form. A value that is not valid is not used: the page keeps the default, lists
// the option in <body data-invalid-options="…"> and warns on the console, so a typo
// in OBS shows up in the browser source's console instead of breaking the page.
// Colours are hex only and fonts are families the machine has: an option can never
// make the page load anything (the page's Content-Security-Policy forbids it too).

const HEX_COLOUR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;
const FONTS = {
  system: 'system-ui, "Segoe UI", Roboto, sans-serif',
  sans: 'Helvetica, Arial, "Liberation Sans", sans-serif',
  serif: 'Georgia, "Times New Roman", "Liberation Serif", serif',
  mono: 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace',
  rounded: 'ui-rounded, "Nunito", "Varela Round", system-ui, sans-serif',
};
const POSITIONS = [
  "top-left", "top", "top-right",
  "left", "center", "right",
  "bottom-left", "bottom", "bottom-right",
];
const LANG = /^[a-z]{2,3}$/;

export function oneOf(values, fallback) {
  return { kind: "choice", values, fallback, parse: (text) => (values.includes(text) ? text : undefined) };
}

export function integer(min, max, fallback) {
  return {
    kind: "integer",
    min,
    max,
    fallback,
    parse: (text) => {
      if (!/^[0-9]{1,6}$/.test(text)) return undefined;
      const value = Number(text);
      return value >= min && value <= max ? value : undefined;
    },
  };
}

export const colour = (fallback = null) => ({
  kind: "colour",
  fallback,
  parse: (text) => (HEX_COLOUR.test(text) ? `#${text.replace(/^#/, "")}` : undefined),
});

// Free text that must match `pattern` whole.
export function text(pattern, fallback = null) {
  return { kind: "text", pattern, fallback, parse: (value) => (pattern.test(value) ? value : undefined) };
}

export const COMMON = {
  token: text(/^.*$/),
  room: text(/^.*$/),
  theme: oneOf(["dark", "light", "clear"], "dark"),
  accent: colour(),
  color: colour(),
  panel: colour(),
  font: oneOf(Object.keys(FONTS), "system"),
  font_size: integer(10, 120, 28),
  position: oneOf(POSITIONS, "top-left"),
  lang: text(LANG),
};

const GOALS = /^(all|open|[0-9]{1,18}(,[0-9]{1,18}){0,19})$/;

// Each overlay's own options, by page name (`<name>.html`), on top of COMMON.
export const OVERLAYS = {
  "gift-alerts": {
    show_ms: integer(500, 60000, 4000),
    min_ms: integer(200, 60000, 1000),
    queue_max: integer(0, 50, 5),
    sound: oneOf(["on", "off"], "off"),
    sound_min_coins: integer(0, 1000000, 0),
    volume: integer(0, 100, 80),
  },
  "goal-bar": { goals: text(GOALS, "all") },
  leaderboard: { rows: integer(1, 10, 10) },
  "battle-bar": {},
  countdown: {},
};

// The options of this page's URL: { values, invalid } (invalid: names, in URL order).
export function parseOptions(query, schema) {
  const all = { ...COMMON, ...schema };
  const values = Object.fromEntries(Object.entries(all).map(([k, spec]) => [k, spec.fallback]));
  const invalid = [];
  for (const [name, text] of query) {
    const spec = all[name];
    const value = spec === undefined ? undefined : spec.parse(text);
    if (value === undefined) invalid.push(name);
    else values[name] = value;
  }
  return { values, invalid };
}

// The look the options ask for: CSS custom properties and classes on the page.
export function applyLook(values) {
  const root = document.body.style; // over the theme's own colours (its class is on <body>)
  root.setProperty("--font-size", `${values.font_size}px`);
  root.setProperty("--font-family", FONTS[values.font]);
  for (const [name, property] of [["accent", "--accent"], ["color", "--text"], ["panel", "--panel"]]) {
    if (values[name] !== null) root.setProperty(property, values[name]);
  }
  document.body.classList.add(`theme-${values.theme}`, `position-${values.position}`);
}

export function readOptions(schema = {}) {
  const { values, invalid } = parseOptions(new URLSearchParams(location.search), schema);
  if (invalid.length > 0) {
    document.body.dataset.invalidOptions = invalid.join(",");
    console.warn(`overlay: ignored the options ${invalid.join(", ")} (see docs/overlays.md)`);
  }
  applyLook(values);
  return values;
}
