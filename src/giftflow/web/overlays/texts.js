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

// A language the server has no texts for is refused (404): the page warns, marks
// <body data-invalid-options> and goes on in the server's locale.
export async function loadTexts(lang) {
  const ask = async (query) => {
    const answer = await fetch(`texts.json${query}`, { cache: "no-cache" });
    return answer.ok ? answer.json() : null;
  };
  try {
    let answer = await ask(lang ? `?${new URLSearchParams({ lang })}` : "");
    if (answer === null && lang) {
      const invalid = document.body.dataset.invalidOptions;
      document.body.dataset.invalidOptions = invalid ? `${invalid},lang` : "lang";
      console.warn(`overlay: no texts for lang=${lang}; the server's language instead`);
      answer = await ask("");
    }
    if (answer !== null) {
      document.documentElement.lang = answer.locale;
      return texts(answer.locale, answer.texts);
    }
  } catch {
    // unreachable for now: English as written
  }
  return texts(ENGLISH, {});
}
