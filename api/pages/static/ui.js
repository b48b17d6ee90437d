// Helpers the pages share: element lookup, bilingual text, fact lists and level names.
//
// Every value reaches the page through textContent: nothing is ever parsed as HTML.

export const LEVELS = {
  junior: ["初级", "Junior"],
  intermediate: ["中级", "Intermediate"],
  senior: ["高级", "Senior"],
};

export function levelText(level) {
  const names = LEVELS[level];
  return names === undefined ? String(level) : `${names[0]} ${names[1]}`;
}

export const $ = (id) => document.getElementById(id);

/** `zh`, then `en` in a span of lang="en", as the only children of `element`. */
export function bilingual(element, zh, en) {
  element.replaceChildren(document.createTextNode(`${zh} `));
  const english = document.createElement("span");
  english.lang = "en";
  english.textContent = en;
  element.append(english);
  return element;
}

/** A `<dl>` of facts: [[zh, en], value, className?]. */
export function renderFacts(list, facts) {
  const items = [];
  for (const [[zh, en], value, className] of facts) {
    const term = bilingual(document.createElement("dt"), zh, en);
    const detail = document.createElement("dd");
    detail.textContent = value;
    if (className) detail.className = className;
    items.push(term, detail);
  }
  list.replaceChildren(...items);
}

/** Show a bilingual message in the element `id`, or hide it when `zh` is null. */
export function formMessage(id, zh, en) {
  const message = $(id);
  if (zh === null) {
    message.replaceChildren();
    message.hidden = true;
  } else {
    bilingual(message, zh, en);
    message.hidden = false;
  }
}
