// The overlay's fixed texts in its language, from /overlays/texts.json (the server's
// gettext catalogs), and numbers written the way that language writes them.
//
//   const texts = await loadTexts(options.lang);   // null: the server's locale
//   texts.t("{count} coins", { count: texts.number(75) })

const ENGLISH = "en";

function fill(text, values) {
  return text.replace(/\{([a-z_]+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function texts(locale, catalog) {
  const numbers = new Intl.NumberFormat(locale);
  return {
    locale,
    t: (message, values = {}) => fill(catalog[message] ?? message, values),
    number: (value) => numbers.format(value),
  };
}

// A language the server has no texts for gets the server's locale: the page warns,
// marks <body data-invalid-options> and goes on in that one.
export async function loadTexts(lang) {
  try {
    const query = lang ? `?${new URLSearchParams({ lang })}` : "";
    const answer = await (await fetch(`texts.json${query}`, { cache: "no-cache" })).json();
    if (lang && answer.locale !== lang) {
      const invalid = document.body.dataset.invalidOptions;
      document.body.dataset.invalidOptions = invalid ? `${invalid},lang` : "lang";
      console.warn(`overlay: no texts for lang=${lang}; ${answer.locale} instead`);
    }
    document.documentElement.lang = answer.locale;
    return texts(answer.locale, answer.texts);
  } catch {
    return texts(ENGLISH, {}); // unreachable for now: English as written
  }
}
