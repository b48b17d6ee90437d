// The bulletin page (/reports/bulletin?period=2026-11): the office's statistics for a
// month, a half-year or a year, fetched from GET /reports/statistics and drawn as inline
// SVG charts (charts.js), figures and a table.
//
// Nothing from the answer is ever parsed as HTML: every value reaches the page through
// text nodes. The period comes from the URL's query and is checked here before any fetch.

import { barChart, columnChart, emptyChart } from "./charts.js";
import { $, bilingual } from "./ui.js";

const TITLE = "1+X证书制度试点工作简报 Bulletin of the 1+X certificate pilot";
const PERIOD_SHAPE = /^([0-9]{4})(?:-(0[1-9]|1[0-2])|-H([12]))?$/;
const FIRST_YEAR = 2019;
const LAST_YEAR = 2100;
const MONTHS_EN = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];
const STATUS_NAMES = {
  admitted: ["试点中", "Admitted"],
  registered: ["已备案", "Registered"],
  suspended: ["暂停", "Suspended"],
  expelled: ["取消试点资格", "Expelled"],
  barred: ["禁入", "Barred"],
};
const NO_DATA = ["本期无数据", "Nothing in this period"];
const numbers = new Intl.NumberFormat("zh-CN");

// -- periods -------------------------------------------------------------------------------

/** The period `text` writes ({text, kind, year, month?, half?}), or null. */
export function parsePeriod(text) {
  const match = typeof text === "string" ? PERIOD_SHAPE.exec(text) : null;
  if (match === null) return null;
  const year = Number(match[1]);
  if (year < FIRST_YEAR || year > LAST_YEAR) return null;
  if (match[2] !== undefined) return { text, kind: "month", year, month: Number(match[2]) };
  if (match[3] !== undefined) return { text, kind: "half-year", year, half: Number(match[3]) };
  return { text, kind: "year", year };
}

/** [zh, en] names of a period. */
export function periodNames(period) {
  if (period.kind === "month") {
    return [`${period.year}年${period.month}月`, `${MONTHS_EN[period.month - 1]} ${period.year}`];
  }
  if (period.kind === "half-year") {
    return period.half === 1
      ? [`${period.year}年上半年`, `First half of ${period.year}`]
      : [`${period.year}年下半年`, `Second half of ${period.year}`];
  }
  return [`${period.year}年`, `Year ${period.year}`];
}

/** The period `step` (-1 or +1) before or after `period`, or null outside the pilot's years. */
function neighbour(period, step) {
  let text;
  if (period.kind === "month") {
    const index = period.year * 12 + (period.month - 1) + step;
    text = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
  } else if (period.kind === "half-year") {
    const index = period.year * 2 + (period.half - 1) + step;
    text = `${Math.floor(index / 2)}-H${(index % 2) + 1}`;
  } else {
    text = String(period.year + step);
  }
  return parsePeriod(text);
}

function bulletinHref(period) {
  return `/reports/bulletin?period=${encodeURIComponent(period.text)}`;
}

// -- formatting ----------------------------------------------------------------------------

function count(value) {
  return Number.isSafeInteger(value) ? numbers.format(value) : "—";
}

function percent(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  return `${(value * 100).toFixed(1)}%`;
}

function text(value) {
  return typeof value === "string" && value.length > 0 ? value : "—";
}

function statusNames(status) {
  return STATUS_NAMES[status] ?? [text(status), text(status)];
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The answer if it has the shape of schemas/reports.py StatisticsView, else null. */
function checkStatistics(body) {
  if (!isObject(body) || !isObject(body.period) || !isObject(body.certificates)) return null;
  const { certificates, coverage, conversions, counts } = body;
  const lists = [
    certificates.by_standard,
    certificates.by_city,
    certificates.by_month,
    body.pass_rates,
    coverage?.schools,
    body.exited_schools,
    body.exited_orgs,
  ];
  if (!lists.every((list) => Array.isArray(list) && list.every(isObject))) return null;
  if (!isObject(conversions) || !isObject(counts)) return null;
  return body;
}

// -- the page's states -----------------------------------------------------------------------

function showStatus(state, zh, en) {
  const status = $("status");
  bilingual(status, zh, en);
  status.dataset.status = state;
  status.hidden = false;
  $("bulletin").hidden = true;
}

function showPeriod(period) {
  const [zh, en] = periodNames(period);
  const title = $("period-title");
  bilingual(title, zh, en);
  title.dataset.period = period.text;
  document.title = `${zh} ${en} · ${TITLE}`;
  $("period-input").value = period.text;
  for (const [id, step] of [["previous", -1], ["next", 1]]) {
    const link = $(`${id}-period`);
    const other = neighbour(period, step);
    link.hidden = other === null;
    if (other !== null) {
      link.href = bulletinHref(other);
      $(`${id}-label`).textContent = periodNames(other)[0];
      link.title = periodNames(other).join(" ");
    }
  }
}

// -- rendering -------------------------------------------------------------------------------

function figure(key, value, [zh, en], note) {
  const box = document.createElement("p");
  box.className = "figure-box";
  box.dataset.figure = key;
  const number = document.createElement("span");
  number.className = "figure";
  number.textContent = value;
  const name = bilingual(document.createElement("span"), zh, en);
  name.className = "figure-label";
  box.append(number, name);
  if (note) {
    const detail = document.createElement("span");
    detail.className = "figure-note";
    detail.textContent = note;
    box.append(detail);
  }
  return box;
}

function renderSummary(stats) {
  const { certificates, coverage, conversions, counts, period } = stats;
  $("summary-figures").replaceChildren(
    figure("issued", count(certificates.issued), ["发放证书", "Certificates issued"]),
    figure("revoked", count(certificates.revoked), ["撤销证书", "Certificates revoked"]),
    figure(
      "coverage",
      percent(coverage.share),
      ["学生参加考核比例", "Students who sat an assessment"],
      `${count(coverage.sat)} / ${count(coverage.students)}`,
    ),
    figure("conversions", count(conversions.recorded), ["学分转换", "Credit conversions"]),
    figure("schools", count(counts.schools_admitted), ["试点院校", "Pilot schools"]),
    figure("orgs", count(counts.orgs_registered), ["培训评价组织", "Organizations"]),
    figure("standards", count(counts.standards), ["证书标准", "Certificate standards"]),
    figure("sites", count(counts.sites), ["考核站点", "Assessment sites"]),
    figure("learners", count(counts.learners), ["学习账户", "Learning accounts"]),
    figure(
      "plans",
      count(counts.approved_plans),
      [`${period.year}年已批准试点计划`, `Approved plans for ${period.year}`],
    ),
  );
}

function renderConversions(conversions) {
  $("conversion-figures").replaceChildren(
    figure("recorded", count(conversions.recorded), [
      "本期记录的转换",
      "Conversions recorded",
    ]),
    figure("reversed", count(conversions.reversed), ["其中已撤回", "Of which reversed"]),
    figure("credits", count(conversions.credits), ["转换学分", "Credits converted"]),
    figure("reversed-credits", count(conversions.reversed_credits), [
      "其中已撤回学分",
      "Of which reversed",
    ]),
  );
}

function exitRow(kind, item) {
  const row = document.createElement("tr");
  row.dataset.id = text(item.id);
  row.dataset.status = text(item.status);
  const name = document.createElement("td");
  const what = bilingual(document.createElement("span"), ...kind);
  what.className = "kind";
  const code = document.createElement("span");
  code.className = "code";
  code.textContent = text(item.id);
  const lineBreak = () => document.createElement("br");
  name.append(what, lineBreak(), text(item.name), lineBreak(), code);
  const status = bilingual(document.createElement("td"), ...statusNames(item.status));
  status.className = "status";
  const reason = document.createElement("td");
  reason.textContent = text(item.reason);
  row.append(name, status, reason);
  return row;
}

function renderExits(schools, orgs) {
  const rows = [
    ...schools.map((item) => exitRow(["院校", "School"], item)),
    ...orgs.map((item) => exitRow(["组织", "Organization"], item)),
  ];
  if (rows.length === 0) {
    const row = document.createElement("tr");
    const cell = bilingual(document.createElement("td"), "无", "None");
    cell.colSpan = 3;
    cell.className = "empty";
    row.append(cell);
    rows.push(row);
  }
  $("exits").replaceChildren(...rows);
}

function bars(id, rows, options) {
  const box = $(id);
  if (rows.length === 0) emptyChart(box, ...NO_DATA);
  else barChart(box, rows, options);
}

/** Every chart, drawn at the current width of its box. */
function drawCharts(stats) {
  const { certificates, coverage } = stats;
  bars(
    "chart-standards",
    certificates.by_standard.map((item) => ({
      key: text(item.standard),
      label: `${text(item.title)} ${text(item.standard)}`,
      value: item.certificates,
      text: count(item.certificates),
    })),
    { title: "各证书标准发证数 Certificates issued by standard" },
  );
  bars(
    "chart-cities",
    certificates.by_city.map((item) => ({
      key: text(item.city),
      label: `${text(item.name_zh)} ${text(item.name_en)}`,
      value: item.certificates,
      text: count(item.certificates),
      tone: item.city === "unassigned" ? "muted" : undefined,
    })),
    { title: "各市发证数 Certificates issued by city" },
  );
  columnChart(
    $("chart-months"),
    certificates.by_month.map((item) => ({
      key: text(item.month),
      value: item.certificates,
      text: count(item.certificates),
    })),
    { title: "各月发证数 Certificates issued by month" },
  );
  bars(
    "chart-pass-rates",
    stats.pass_rates.map((item) => ({
      key: text(item.standard),
      label: `${text(item.title)} ${text(item.standard)}`,
      value: typeof item.rate === "number" ? item.rate : 0,
      text: `${percent(item.rate)} (${count(item.passed)}/${count(item.results)})`,
    })),
    { title: "各证书标准考核通过率 Pass rates by standard", max: 1 },
  );
  // Largest share first; schools without students (no share) last.
  const schools = [...coverage.schools].sort(
    (a, b) =>
      (b.share ?? -1) - (a.share ?? -1) ||
      b.students - a.students ||
      text(a.school).localeCompare(text(b.school)),
  );
  bars(
    "chart-coverage",
    schools.map((item) => {
      const status = item.status === "admitted" ? "" : ` (${statusNames(item.status).join(" ")})`;
      return {
        key: text(item.school),
        label: `${text(item.name)}${status}`,
        value: typeof item.share === "number" ? item.share : 0,
        text: `${percent(item.share)} (${count(item.sat)}/${count(item.students)})`,
        tone: item.status === "admitted" ? undefined : "muted",
      };
    }),
    {
      title: "各试点院校学生参加考核比例 Share of students who sat an assessment",
      max: 1,
    },
  );
}

function render(stats, period) {
  renderSummary(stats);
  const [students, sat, share] = [
    count(stats.coverage.students),
    count(stats.coverage.sat),
    percent(stats.coverage.share),
  ];
  bilingual(
    $("coverage-province"),
    `全省：${students} 名在校学生中 ${sat} 名已参加考核（${share}）。`,
    `Province: ${sat} of ${students} enrolled students sat an assessment (${share}).`,
  );
  renderConversions(stats.conversions);
  renderExits(stats.exited_schools, stats.exited_orgs);
  const { first, last } = stats.period;
  const size = count(stats.tree_size);
  bilingual(
    $("as-of"),
    `统计期间 ${text(first)} 至 ${text(last)}；数据截至账本第 ${size} 条记录。`,
    `Period ${text(first)} to ${text(last)}; figures as of ledger size ${size}.`,
  );
  const bulletin = $("bulletin");
  bulletin.dataset.period = period.text;
  $("status").hidden = true;
  bulletin.hidden = false;
  // Charts measure their boxes, so they are drawn once the bulletin is shown.
  drawCharts(stats);
  // Drawn again at a new width (a phone turned, a window resized), in the next frame: never
  // while the observer delivers, which would loop.
  let drawnWidth = bulletin.clientWidth;
  let pending = false;
  new ResizeObserver(() => {
    if (pending || Math.abs(bulletin.clientWidth - drawnWidth) < 8) return;
    pending = true;
    window.requestAnimationFrame(() => {
      pending = false;
      drawnWidth = bulletin.clientWidth;
      drawCharts(stats);
    });
  }).observe(bulletin);
  bulletin.dataset.ready = "true";
}

async function errorDetail(response) {
  try {
    const body = await response.json();
    if (isObject(body) && typeof body.detail === "string") return body.detail;
  } catch {
    // not JSON: the status says enough
  }
  return null;
}

async function load() {
  const asked = new URLSearchParams(window.location.search).get("period");
  if (asked === null || asked === "") {
    showStatus(
      "choose",
      "请选择期间，例如 2026-11、2026-H2 或 2026。",
      "Choose a period, such as 2026-11, 2026-H2 or 2026.",
    );
    return;
  }
  const period = parsePeriod(asked);
  if (period === null) {
    $("period-input").value = asked;
    const years = [FIRST_YEAR, LAST_YEAR];
    showStatus(
      "invalid",
      `期间“${asked}”格式不正确：应为月份 2026-11、半年 2026-H1 / 2026-H2 或全年 2026` +
        `（${years.join("–")} 年）。`,
      `The period "${asked}" is not valid: write a month 2026-11, a half-year 2026-H1 / ` +
        `2026-H2 or a year 2026 (${years.join(" to ")}).`,
    );
    return;
  }
  showPeriod(period);
  let response;
  try {
    response = await fetch(`/reports/statistics?period=${encodeURIComponent(period.text)}`, {
      cache: "no-store",
      credentials: "omit",
      redirect: "error",
      headers: { Accept: "application/json" },
    });
  } catch {
    showStatus(
      "unreachable",
      "无法连接到服务器，请稍后再试。",
      "Cannot reach the server; try again later.",
    );
    return;
  }
  if (!response.ok) {
    const detail = await errorDetail(response);
    const suffix = detail ? `: ${detail}` : "";
    showStatus(
      "error",
      `加载统计数据失败（HTTP ${response.status}）`,
      `Loading the figures failed (HTTP ${response.status})${suffix}`,
    );
    return;
  }
  let stats = null;
  try {
    stats = checkStatistics(await response.json());
  } catch {
    // shown below as malformed
  }
  if (stats === null) {
    showStatus(
      "malformed",
      "服务器返回的统计数据格式错误。",
      "The server's figures are malformed.",
    );
    return;
  }
  render(stats, period);
}

$("print-button").addEventListener("click", () => window.print());
load();
