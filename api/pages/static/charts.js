// Charts of the bulletin as inline SVG: horizontal bars and monthly columns.
//
// Every element is made with createElementNS and every label reaches the page through
// textContent: nothing is ever parsed as markup. A chart is drawn at the width of its box
// (text stays readable on a phone) and scales with its viewBox when printed. Colours come
// from bulletin.css classes, never from style attributes (the page's CSP forbids them).

const SVG = "http://www.w3.org/2000/svg";
const MIN_WIDTH = 280;
const FALLBACK_WIDTH = 640;

/** An SVG element with attributes. */
function svg(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

/** A text element holding `content` (as text, never markup). */
function label(content, attributes) {
  const element = svg("text", attributes);
  element.textContent = content;
  return element;
}

/** The root of a chart: a viewBox of `width` x `height`, with a title and a description
 *  (every label and value) for screen readers, which do not read the drawing. */
function chartRoot(width, height, title, kind, description) {
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: `chart chart-${kind}`,
    role: "img",
    "data-width": width,
  });
  // <title> is the SVG's accessible name; the visible heading is the card's <h2>.
  const name = svg("title");
  name.textContent = title;
  const desc = svg("desc");
  desc.textContent = description;
  root.append(name, desc);
  return root;
}

/** The drawing width for `box`: its width in CSS pixels, within sensible bounds. */
function widthOf(box) {
  const measured = Math.floor(box.clientWidth);
  return Math.max(MIN_WIDTH, Number.isFinite(measured) && measured > 0 ? measured : FALLBACK_WIDTH);
}

/** Shorten the text of `element` with an ellipsis until it is at most `room` wide. */
function fitText(element, room) {
  const full = element.textContent;
  if (element.getComputedTextLength() <= room) return;
  let kept = full.length;
  while (kept > 1) {
    kept -= 1;
    element.textContent = `${full.slice(0, kept)}…`;
    if (element.getComputedTextLength() <= room) break;
  }
  const whole = svg("title");
  whole.textContent = full;
  element.append(whole);
}

/** Show `message` (bilingual) in `box` instead of a chart. */
export function emptyChart(box, zh, en) {
  const note = document.createElement("p");
  note.className = "empty";
  note.append(document.createTextNode(`${zh} `));
  const english = document.createElement("span");
  english.lang = "en";
  english.textContent = en;
  note.append(english);
  box.replaceChildren(note);
}

/**
 * Horizontal bars, one row per item: the label above its bar, the value after it.
 *
 * rows: [{key, label, value, text, tone?}]; `max` the value of a full bar (the largest
 * value when omitted). Each bar is a <rect class="bar" data-key>; each value a
 * <text class="value">.
 */
export function barChart(box, rows, { title, max }) {
  const width = widthOf(box);
  const rowHeight = 46;
  const top = 4;
  const height = top + rows.length * rowHeight + 4;
  const description = rows.map((row) => `${row.label}: ${row.text}`).join("; ");
  const root = chartRoot(width, height, title, "bars", description);
  box.replaceChildren(root);

  const longestText = Math.max(...rows.map((row) => row.text.length), 1);
  const valueRoom = Math.min(Math.round(width * 0.45), 14 + longestText * 8);
  const barRoom = width - valueRoom - 2;
  const largest = max ?? Math.max(...rows.map((row) => row.value), 0);
  const labels = [];
  rows.forEach((row, position) => {
    const y = top + position * rowHeight;
    const group = svg("g", { class: "row", "data-key": row.key });
    const name = label(row.label, { x: 0, y: y + 15, class: "label" });
    labels.push(name);
    const track = svg("rect", {
      x: 0,
      y: y + 22,
      width: barRoom,
      height: 16,
      rx: 2,
      class: "track",
    });
    const length = largest > 0 ? Math.max(0, (row.value / largest) * barRoom) : 0;
    const bar = svg("rect", {
      x: 0,
      y: y + 22,
      width: length.toFixed(1),
      height: 16,
      rx: 2,
      class: row.tone ? `bar bar-${row.tone}` : "bar",
      "data-key": row.key,
      "data-value": row.value,
    });
    const value = label(row.text, { x: (length + 6).toFixed(1), y: y + 35, class: "value" });
    group.append(name, track, bar, value);
    root.append(group);
  });
  for (const name of labels) fitText(name, width - 2);
  return root;
}

/**
 * Columns, one per month: the value above each, the month below.
 *
 * months: [{key: "2026-11", value, text}]. Each column is a <rect class="bar" data-key>.
 */
export function columnChart(box, months, { title }) {
  const width = widthOf(box);
  const height = 210;
  const top = 22;
  const bottom = 26;
  const plot = height - top - bottom;
  const description = months.map((month) => `${month.key}: ${month.text}`).join("; ");
  const root = chartRoot(width, height, title, "columns", description);
  box.replaceChildren(root);

  const slot = width / Math.max(months.length, 1);
  const columnWidth = Math.min(56, slot * 0.62);
  const largest = Math.max(...months.map((month) => month.value), 0);
  root.append(svg("line", { x1: 0, x2: width, y1: top + plot, y2: top + plot, class: "axis" }));
  months.forEach((month, position) => {
    const centre = slot * position + slot / 2;
    const columnHeight = largest > 0 ? (month.value / largest) * (plot - 4) : 0;
    const y = top + plot - columnHeight;
    const group = svg("g", { class: "column", "data-key": month.key });
    const column = svg("rect", {
      x: (centre - columnWidth / 2).toFixed(1),
      y: y.toFixed(1),
      width: columnWidth.toFixed(1),
      height: columnHeight.toFixed(1),
      class: "bar",
      "data-key": month.key,
      "data-value": month.value,
    });
    const value = label(month.text, {
      x: centre.toFixed(1),
      y: (y - 5).toFixed(1),
      class: "value",
      "text-anchor": "middle",
    });
    const monthNumber = Number(month.key.slice(5));
    const name = label(slot >= 36 ? `${monthNumber}月` : String(monthNumber), {
      x: centre.toFixed(1),
      y: height - 8,
      class: "label",
      "text-anchor": "middle",
    });
    group.append(column, value, name);
    root.append(group);
  });
  return root;
}
