// Rendering a learning account (schemas/credit_bank.py LearnerView): the balance, the
// enrolments, the certificates with their QR codes, course credits and conversions.
//
// Nothing from the account is ever parsed as HTML: every value reaches the page through
// text nodes, and URLs are built only from values of a certificate number's shape.

import { isObject } from "./encoding.js";
import { CERTIFICATE_SHAPE } from "./numbers.js";
import { $, bilingual, levelText } from "./ui.js";

const EMPTY = {
  enrolments: ["尚未在任何学校注册", "Not enrolled at any school yet"],
  certificates: ["暂无证书", "No certificates yet"],
  courses: ["暂无课程学分", "No course credits yet"],
  conversions: ["暂无学分转换", "No credit conversions yet"],
};

const SCHOOL_SHAPE = /^[0-9]{10}$/;
const ORG_SHAPE = /^[0-9A-Z]{18}$/;

/** The account answer if it has the shape of a LearnerView of `account`, else null. */
export function checkAccount(view, account) {
  if (!isObject(view) || view.account !== account || !isObject(view.balance)) return null;
  const lists = ["enrolments", "outcomes", "conversions", "reversals"];
  if (!lists.every((name) => Array.isArray(view[name]) && view[name].every(isObject))) return null;
  const { deposited, converted } = view.balance;
  if (!Number.isSafeInteger(deposited) || !Number.isSafeInteger(converted)) return null;
  return view;
}

function text(value) {
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return "—";
}

function element(tag, className, content) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (content !== undefined) made.textContent = content;
  return made;
}

/** A school's or organization's code, later completed with its name (see `fillName`). */
function named(kind, id) {
  const span = element("span", "named", text(id));
  span.dataset.named = kind;
  span.dataset.id = text(id);
  return span;
}

/** Complete every `named(kind, id)` on the page with the name the registry gave. */
export function fillName(kind, id, name) {
  for (const span of document.querySelectorAll("span[data-named]")) {
    if (span.dataset.named === kind && span.dataset.id === id) span.textContent = `${name}（${id}）`;
  }
}

/** The schools and organizations the account names: [kind, id] pairs of a valid shape. */
export function namedParties(view) {
  const parties = new Map();
  const add = (kind, id, shape) => {
    if (typeof id === "string" && shape.test(id)) parties.set(`${kind}:${id}`, [kind, id]);
  };
  for (const enrolment of view.enrolments) add("school", enrolment.school, SCHOOL_SHAPE);
  for (const outcome of view.outcomes) {
    add("school", outcome.school, SCHOOL_SHAPE);
    add("org", outcome.org, ORG_SHAPE);
  }
  for (const conversion of view.conversions) add("school", conversion.school, SCHOOL_SHAPE);
  return [...parties.values()];
}

/** A `<dl>` of [[zh, en], value, className?]; a value is a string or a node. */
function factList(facts) {
  const list = element("dl", "facts");
  for (const [[zh, en], value, className] of facts) {
    const detail = element("dd", className);
    detail.append(value);
    list.append(bilingual(document.createElement("dt"), zh, en), detail);
  }
  return list;
}

function badge(kind, zh, en) {
  const made = bilingual(element("span", "badge"), zh, en);
  made.dataset.kind = kind;
  return made;
}

function heading(title, ...badges) {
  const head = element("div", "item-head");
  head.append(element("h3", "item-title", title), ...badges);
  return head;
}

function fillList(id, items, empty) {
  const list = $(id);
  if (items.length === 0) {
    list.replaceChildren(bilingual(element("li", "empty"), empty[0], empty[1]));
  } else {
    list.replaceChildren(...items);
  }
}

// -- the parts of an account -----------------------------------------------------------

function enrolmentItem(enrolment) {
  const item = element("li", "item");
  item.dataset.school = text(enrolment.school);
  item.append(
    factList([
      [["学校", "School"], named("school", enrolment.school)],
      [["注册条目序号", "Enrolment entry"], text(enrolment.index), "mono-value"],
    ]),
  );
  return item;
}

function certificateItem(outcome) {
  const number = text(outcome.source);
  const revoked = outcome.counts !== true;
  const item = element("li", "item certificate");
  item.dataset.certificate = number;
  item.dataset.status = revoked ? "revoked" : "valid";
  item.append(
    heading(
      text(outcome.title),
      revoked ? badge("revoked", "已撤销", "Revoked") : badge("valid", "有效", "Valid"),
    ),
  );
  const body = element("div", "certificate-body");
  body.append(
    factList([
      [["证书编号", "Certificate number"], number, "mono-value"],
      [["职业技能等级标准", "Standard"], text(outcome.title)],
      [["等级", "Level"], levelText(text(outcome.level))],
      [["发证日期", "Issued on"], text(outcome.earned_on)],
      [["发证组织", "Issuing organization"], named("org", outcome.org)],
      [["学分", "Credits"], text(outcome.credits)],
      [["状态", "Status"], revoked ? "已撤销 Revoked" : "有效 Valid"],
    ]),
  );
  if (CERTIFICATE_SHAPE.test(number)) {
    const figure = element("figure", "qr-figure");
    const image = element("img", "qr");
    image.src = `/certificates/${encodeURIComponent(number)}/qr.svg`;
    image.alt = `证书 ${number} 的验证二维码 QR code to verify certificate ${number}`;
    image.decoding = "async";
    const caption = bilingual(element("figcaption"), "扫码验证此证书", "Scan to verify this certificate");
    figure.append(image, caption);
    const link = bilingual(element("a", "verify-link"), "在线验证", "Verify online");
    link.href = `/verify?certificate=${encodeURIComponent(number)}`;
    body.append(figure, link);
  }
  item.append(body);
  return item;
}

function courseItem(outcome) {
  const item = element("li", "item course");
  item.dataset.course = text(outcome.source);
  item.dataset.status = outcome.counts === true ? "counts" : "not-counted";
  const badges = outcome.counts === true ? [] : [badge("revoked", "不计入", "Not counted")];
  item.append(
    heading(`${text(outcome.title)}（${text(outcome.source)}）`, ...badges),
    factList([
      [["课程", "Course"], text(outcome.source), "mono-value"],
      [["课程名称", "Title"], text(outcome.title)],
      [["学分", "Credits"], text(outcome.credits)],
      [["学期", "Term"], text(outcome.term)],
      [["成绩", "Grade"], text(outcome.grade)],
      [["学校", "School"], named("school", outcome.school)],
      [["记入日期", "Recorded on"], text(outcome.earned_on)],
    ]),
  );
  return item;
}

function conversionItem(conversion, reversals, titles) {
  const reversal = reversals.find((candidate) => candidate.conversion === conversion.conversion);
  const reversedAt = conversion.reversed_index ?? reversal?.index ?? null;
  const reversed = reversedAt !== null || reversal !== undefined;
  const item = element("li", "item conversion");
  item.dataset.conversion = text(conversion.conversion);
  item.dataset.status = reversed ? "reversed" : "counts";
  const certificate = text(conversion.certificate);
  const title = titles.get(certificate);
  const from = title === undefined ? certificate : `${title} ${certificate}`;
  const badges = reversed ? [badge("revoked", "已撤销", "Reversed")] : [];
  item.append(heading(`${from} → ${text(conversion.programme)}`, ...badges));
  const facts = [
    [["证书", "Certificate"], certificate, "mono-value"],
    [["专业", "Programme"], text(conversion.programme)],
    [["转换规则及版本", "Rule and version"], `${text(conversion.rule)} v${text(conversion.version)}`],
    [["学分", "Credits"], text(conversion.credits)],
    [["学校", "School"], named("school", conversion.school)],
    [["转换编号", "Conversion"], text(conversion.conversion), "mono-value"],
  ];
  if (typeof conversion.recorded_on === "string") {
    facts.push([["记录日期", "Recorded on"], conversion.recorded_on]);
  }
  if (reversed) {
    const reason = conversion.reversal_reason ?? reversal?.reason;
    facts.push([["撤销原因", "Reason for reversal"], text(reason), "reversal-reason"]);
    facts.push([["撤销条目序号", "Reversal entry"], text(reversedAt), "mono-value"]);
  }
  item.append(factList(facts));
  return item;
}

/** Show `view` (checked by `checkAccount`) in the page's account sections. */
export function renderAccount(view) {
  $("account").dataset.account = view.account;
  $("account-facts").replaceChildren(
    ...factList([
      [["学习账号", "Learning account"], view.account, "mono-value"],
      [["开户条目序号", "Opened at entry"], text(view.opened_index), "mono-value"],
    ]).childNodes,
  );
  $("erased-note").hidden = view.personal_data_erased !== true;
  $("balance-deposited").textContent = String(view.balance.deposited);
  $("balance-converted").textContent = String(view.balance.converted);

  const certificates = view.outcomes.filter((outcome) => outcome.kind === "certificate");
  const courses = view.outcomes.filter((outcome) => outcome.kind === "course");
  const titles = new Map(certificates.map((outcome) => [text(outcome.source), text(outcome.title)]));
  fillList("enrolments", view.enrolments.map(enrolmentItem), EMPTY.enrolments);
  fillList("certificates", certificates.map(certificateItem), EMPTY.certificates);
  fillList("courses", courses.map(courseItem), EMPTY.courses);
  fillList(
    "conversions",
    view.conversions.map((conversion) => conversionItem(conversion, view.reversals, titles)),
    EMPTY.conversions,
  );
}

/** Empty every account section (on signing out). */
export function clearAccount() {
  $("account").dataset.account = "";
  for (const id of ["account-facts", "enrolments", "certificates", "courses", "conversions"]) {
    $(id).replaceChildren();
  }
  $("balance-deposited").textContent = "";
  $("balance-converted").textContent = "";
}
